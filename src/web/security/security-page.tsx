import { Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { useDocumentTitle } from '../components/use-document-title';
import { BurnSection } from './burn-section';
import { PasskeysSection } from './passkeys-section';
import { SecondFactorSection } from './second-factor-section';
import { SessionsSection } from './sessions-section';
import { useMySecurity } from './step-up';
import { TokensSection } from './tokens-section';

/** The signed-in person's own security: sessions, passkeys, authenticator, API tokens, burn switch. */
export function SecurityPage() {
  const { t } = useTranslation();
  const security = useMySecurity();
  useDocumentTitle(t('security.title'));
  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('security.title')}
        </Title>
        <Text c="dimmed">{t('security.intro')}</Text>
      </Stack>
      {security.isPending ? (
        <PageLoader />
      ) : security.isError ? (
        <ErrorAlert error={security.error} />
      ) : (
        <>
          <SecondFactorSection twoFactorEnabled={security.data.twoFactorEnabled} />
          <PasskeysSection passkeys={security.data.passkeys} />
          <SessionsSection sessions={security.data.sessions} />
          <TokensSection />
          <BurnSection />
        </>
      )}
    </Stack>
  );
}
