import { Button, Container, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useDocumentTitle } from '../components/use-document-title';
import { useSession } from '../session';
import classes from '../shell.module.css';

function Icon({ children }: { children: ReactNode }) {
  return (
    <span className={classes.featureIcon} aria-hidden="true">
      <svg
        aria-hidden="true"
        width="24"
        height="24"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        {children}
      </svg>
    </span>
  );
}

const FEATURES = [
  { key: 'protect', icon: <path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6l8-3z" /> },
  {
    key: 'together',
    icon: (
      <>
        <rect x="3" y="4" width="18" height="16" rx="2" />
        <path d="M3 9h18M9 9v11" />
      </>
    ),
  },
  { key: 'open', icon: <path d="M8 9l-4 3 4 3M16 9l4 3-4 3M13.5 6l-3 12" /> },
] as const;

export function HomePage() {
  const { t } = useTranslation();
  const session = useSession();
  useDocumentTitle(t('home.title'));
  return (
    <>
      <section className={classes.hero} aria-labelledby="home-title">
        <Container size="lg">
          <Stack gap="lg">
            <Title order={1} id="home-title" className={classes.heroTitle}>
              {t('home.headline')}
            </Title>
            <Text className={classes.heroLead}>{t('home.lead')}</Text>
            <Group>
              {session.data ? (
                <Button component={Link} to="/console" size="md" variant="white" color="passage.9">
                  {t('public.openConsole')}
                </Button>
              ) : (
                <Button
                  component={Link}
                  to="/sign-in"
                  size="md"
                  variant="white"
                  color="passage.9"
                  data-testid="home-sign-in"
                >
                  {t('home.staffSignIn')}
                </Button>
              )}
              <Button
                component={Link}
                to="/supporters/sign-in"
                size="md"
                variant="outline"
                color="white"
                data-testid="home-supporter-sign-in"
              >
                {t('home.supporterSignIn')}
              </Button>
              {/* A plain link, not the router's: the donate page is its own light page outside the shell. */}
              <Button
                component="a"
                href="/give"
                size="md"
                variant="white"
                color="passage.9"
                data-testid="home-give"
              >
                {t('home.give')}
              </Button>
            </Group>
          </Stack>
        </Container>
      </section>
      <Container size="lg" py={48}>
        <Title order={2} size="h3" mb="lg">
          {t('home.principlesTitle')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
          {FEATURES.map((f) => (
            <Paper key={f.key} withBorder p="lg" radius="md">
              <Stack gap="sm">
                <Icon>{f.icon}</Icon>
                <Title order={3} size="h4">
                  {t(`home.features.${f.key}.title`)}
                </Title>
                <Text c="dimmed">{t(`home.features.${f.key}.body`)}</Text>
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      </Container>
    </>
  );
}
