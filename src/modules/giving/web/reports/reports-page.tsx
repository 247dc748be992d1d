import { Stack, Tabs } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../../../web/components/page-header';
import { QueryTabs } from '../../../../web/components/query-tabs';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { useSession } from '../../../../web/session';
import { givingReportsNamespace } from './i18n/namespace';
import { LapsedView, RetentionView, TopDonorsView, TotalsView } from './report-views';
import { StatementsView } from './statements-view';
import { useReportsT } from './ui';

givingReportsNamespace.register();

const VIEWS = ['totals', 'lapsed', 'retention', 'top', 'statements'] as const;
type View = (typeof VIEWS)[number];
/** Lists that name donors: the server refuses them to auditors, so their tabs are not offered. */
const DONOR_VIEWS: readonly View[] = ['lapsed', 'top', 'statements'];

/**
 * Giving reports, one console entry with a tab per report (`?view=…`). Development and administrators see
 * every tab; auditors the aggregates only (totals, retention). Only the development team sends statements.
 */
export function GivingReportsPage() {
  const { t } = useReportsT();
  const role = useSession().data?.role;
  const views = VIEWS.filter((v) => role !== 'auditor' || !DONOR_VIEWS.includes(v));
  const [params] = useSearchParams();
  const asked = params.get('view') as View;
  const view: View = views.includes(asked) ? asked : 'totals';
  useDocumentTitle(t(`views.${view}`));

  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('title')} intro={t('intro')} />
      <QueryTabs
        param="view"
        value={view}
        defaultValue="totals"
        listLabel={t('views.label')}
        tabs={views.map((v) => ({ value: v, label: t(`views.${v}`), testId: `reports-tab-${v}` }))}
      >
        <Tabs.Panel value="totals">
          <TotalsView />
        </Tabs.Panel>
        <Tabs.Panel value="lapsed">
          <LapsedView />
        </Tabs.Panel>
        <Tabs.Panel value="retention">
          <RetentionView />
        </Tabs.Panel>
        <Tabs.Panel value="top">
          <TopDonorsView />
        </Tabs.Panel>
        <Tabs.Panel value="statements">
          <StatementsView />
        </Tabs.Panel>
      </QueryTabs>
    </Stack>
  );
}
