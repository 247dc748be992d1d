import { Stack, Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../components/page-header';
import { QueryTabs } from '../components/query-tabs';
import { useDocumentTitle } from '../components/use-document-title';
import { useSession } from '../session';
import { CompartmentsTab } from './compartments-tab';
import { InvitationsTab } from './invitations-tab';
import { StaffTab } from './staff-tab';
import { TokensTab } from './tokens-tab';

/** People & access: staff accounts, invitations, compartments and everyone's API tokens. Hides what the role cannot do. */
export function PeoplePage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params] = useSearchParams();
  const isAdmin = session.data?.role === 'administrator';
  const tokenKeeper = isAdmin || session.data?.role === 'security_lead';
  const tabs = [
    'staff',
    ...(isAdmin ? ['invitations'] : []),
    'compartments',
    ...(tokenKeeper ? ['tokens'] : []),
  ];
  const tab = tabs.includes(params.get('tab') ?? '') ? (params.get('tab') as string) : 'staff';
  useDocumentTitle(t('people.title'));
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('people.title')} intro={t('people.intro')} />
      <QueryTabs
        param="tab"
        value={tab}
        defaultValue="staff"
        replace
        tabs={tabs.map((k) => ({ value: k, label: t(`people.tabs.${k}`), testId: `tab-${k}` }))}
      >
        <Tabs.Panel value="staff">
          <StaffTab isAdmin={isAdmin} selfId={session.data?.id} />
        </Tabs.Panel>
        {isAdmin && (
          <Tabs.Panel value="invitations">
            <InvitationsTab />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="compartments">
          <CompartmentsTab />
        </Tabs.Panel>
        {tokenKeeper && (
          <Tabs.Panel value="tokens">
            <TokensTab />
          </Tabs.Panel>
        )}
      </QueryTabs>
    </Stack>
  );
}
