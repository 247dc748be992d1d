import { AppShell, Burger, Group, NavLink, Stack, Text } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, NavLink as RouterNavLink, useLocation } from 'react-router';
import { Brand } from '../components/brand';
import { LanguageSwitch } from '../components/language-switch';
import { PageLoader } from '../components/page-loader';
import { MAIN_ID, SkipLink } from '../components/skip-link';
import { useFocusMainOnNavigate } from '../components/use-focus-main';
import { visibleModules } from '../modules';
import { StepUpProvider } from '../security/step-up';
import { useSession } from '../session';
import classes from '../shell.module.css';
import { AccountMenu } from './account-menu';
import { EnrolSecondFactorPage } from './enrol-second-factor';

const NAV_ID = 'console-navigation';

/** The staff console: header, navigation built from the module registry, and the page. */
export function ConsoleLayout() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const isPhone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  useFocusMainOnNavigate();

  // Close the phone navigation once a page is chosen.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => close(), [location.pathname]);

  if (session.isPending) return <PageLoader />;
  if (!session.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }

  const user = session.data;
  // Until a second factor is enrolled, the server opens nothing else to staff, so neither does the console.
  const mustEnrol = user.staff === true && user.secondFactor === false;
  const modules = mustEnrol ? [] : visibleModules(user.role);
  const navHidden = isPhone && !opened;

  return (
    <StepUpProvider>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding={{ base: 'sm', sm: 'lg' }}
      >
        <SkipLink />
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={opened ? t('shell.closeNavigation') : t('shell.openNavigation')}
                aria-expanded={opened}
                aria-controls={NAV_ID}
                data-testid="nav-burger"
              />
              <Brand to="/console" />
              <Text size="sm" c="dimmed" visibleFrom="xs">
                {t('console.title')}
              </Text>
            </Group>
            <Group gap="xs" wrap="nowrap">
              <LanguageSwitch />
              <AccountMenu user={user} />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar
          id={NAV_ID}
          component="nav"
          aria-label={t('console.navigationLabel')}
          p="sm"
          inert={navHidden}
          data-testid="console-nav"
        >
          <Stack gap={4}>
            {modules.map((m) => (
              <NavLink
                key={m.id}
                component={RouterNavLink}
                to={`/console/${m.path}`}
                label={t(m.labelKey)}
                active={
                  location.pathname === `/console/${m.path}` ||
                  location.pathname.startsWith(`/console/${m.path}/`)
                }
                variant="light"
                fw={500}
                data-testid={`nav-${m.id}`}
              />
            ))}
          </Stack>
        </AppShell.Navbar>
        <AppShell.Main id={MAIN_ID} tabIndex={-1} className={`${classes.main} ${classes.consoleMain}`}>
          <Suspense fallback={<PageLoader />}>{mustEnrol ? <EnrolSecondFactorPage /> : <Outlet />}</Suspense>
        </AppShell.Main>
      </AppShell>
    </StepUpProvider>
  );
}
