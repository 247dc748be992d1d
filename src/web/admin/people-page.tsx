import { Stack, Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../components/page-header';
import { useDocumentTitle } from '../components/use-document-title';
import { useSession } from '../session';
import { CompartmentsTab } from './compartments-tab';
import { InvitationsTab } from './invitations-tab';
import { StaffTab } from './staff-tab';

/** People & access: staff accounts, invitations and compartments. Hides what the role cannot do. */
export function PeoplePage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const isAdmin = session.data?.role === 'administrator';
  const tabs = ['staff', ...(isAdmin ? ['invitations'] : []), 'compartments'];
  const tab = tabs.includes(params.get('tab') ?? '') ? (params.get('tab') as string) : 'staff';
  useDocumentTitle(t('people.title'));
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('people.title')} intro={t('people.intro')} />
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'staff' ? { tab: v } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {tabs.map((k) => (
            <Tabs.Tab key={k} value={k} data-testid={`tab-${k}`}>
              {t(`people.tabs.${k}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
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
      </Tabs>
    </Stack>
  );
}
