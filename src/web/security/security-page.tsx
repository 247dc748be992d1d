import { Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/error-alert';
import { PageHeader } from '../components/page-header';
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
      <PageHeader title={t('security.title')} intro={t('security.intro')} />
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
