import { Anchor, Box, Button, Container, Group, Text } from '@mantine/core';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet } from 'react-router';
import { Brand } from '../components/brand';
import { LanguageSwitch } from '../components/language-switch';
import { PageLoader } from '../components/page-loader';
import { MAIN_ID, SkipLink } from '../components/skip-link';
import { useFocusMainOnNavigate } from '../components/use-focus-main';
import { publicPages } from '../modules';
import { useSession } from '../session';
import classes from '../shell.module.css';

export function PublicLayout() {
  const { t } = useTranslation();
  const session = useSession();
  useFocusMainOnNavigate();
  const navPages = publicPages.filter((p) => p.labelKey);
  return (
    <div className={classes.publicRoot}>
      <SkipLink />
      <Box component="header" className={classes.publicHeader}>
        <Container size="lg">
          <Group justify="space-between" h={64} wrap="nowrap" gap="xs">
            <Brand to="/" />
            <Group gap="xs" wrap="nowrap">
              {navPages.length > 0 && (
                <Group component="nav" aria-label={t('public.navLabel')} gap="md" visibleFrom="sm">
                  {navPages.map((p) => (
                    <Anchor key={p.id} component={NavLink} to={`/${p.path}`} c="gray.9" fw={500}>
                      {t(p.labelKey ?? '')}
                    </Anchor>
                  ))}
                </Group>
              )}
              <LanguageSwitch />
              {session.data && !session.data.staff ? (
                // A supporter's way back to their donor portal: a plain link, so the header fits a phone.
                <Anchor component={Link} to="/my" fw={600} c="passage.8" data-testid="open-portal">
                  {t('portal:nav')}
                </Anchor>
              ) : session.data ? (
                <Button component={Link} to="/console" size="compact-md" data-testid="open-console">
                  {t('public.console')}
                </Button>
              ) : (
                <Button component={Link} to="/sign-in" size="compact-md" data-testid="header-sign-in">
                  {t('public.signIn')}
                </Button>
              )}
            </Group>
          </Group>
        </Container>
      </Box>
      <main id={MAIN_ID} tabIndex={-1} className={`${classes.publicMain} ${classes.main}`}>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className={classes.publicFooter}>
        <Container size="lg">
          <Text size="sm" c="dimmed">
            {t('public.footer')}
          </Text>
        </Container>
      </footer>
    </div>
  );
}
