import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';
import { useDocumentTitle } from './use-document-title';

/** Shown when a page fails to render or its code cannot be loaded (often a new release: reload). */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  useDocumentTitle(t('routeError.title'));
  if (error) console.error(error);
  return (
    <main id="main">
      <Container size="sm" py={64}>
        <Stack gap="md" align="flex-start">
          <Title order={1}>{t('routeError.title')}</Title>
          <Text c="dimmed">{t('routeError.body')}</Text>
          <Button onClick={() => window.location.reload()}>{t('routeError.reload')}</Button>
        </Stack>
      </Container>
    </main>
  );
}
