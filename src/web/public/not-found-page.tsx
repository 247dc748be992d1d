import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useDocumentTitle } from '../components/use-document-title';

export function NotFoundPage({ home = '/' }: { home?: string }) {
  const { t } = useTranslation();
  useDocumentTitle(t('notFound.title'));
  return (
    <Container size="sm" py={64} data-testid="not-found">
      <Stack gap="md" align="flex-start">
        <Text fw={700} c="passage.8" size="sm">
          404
        </Text>
        <Title order={1}>{t('notFound.title')}</Title>
        <Text c="dimmed">{t('notFound.body')}</Text>
        <Button component={Link} to={home}>
          {home === '/' ? t('notFound.home') : t('notFound.console')}
        </Button>
      </Stack>
    </Container>
  );
}
