import { Stack, Tabs, Text, Title } from '@mantine/core';
import i18next from 'i18next';
import { useSearchParams } from 'react-router';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { useSession } from '../../../../web/session';
import { registerGivingReportsTranslations } from './i18n/register';
import { LapsedView, RetentionView, TopDonorsView, TotalsView } from './report-views';
import { StatementsView } from './statements-view';
import { useReportsT } from './ui';

registerGivingReportsTranslations(i18next);

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
  const [params, setParams] = useSearchParams();
  const asked = params.get('view') as View;
  const view: View = views.includes(asked) ? asked : 'totals';
  useDocumentTitle(t(`views.${view}`));

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('intro')}</Text>
      </Stack>
      <Tabs
        value={view}
        onChange={(v) => setParams(v && v !== 'totals' ? { view: v } : {})}
        keepMounted={false}
      >
        <Tabs.List mb="md" aria-label={t('views.label')}>
          {views.map((v) => (
            <Tabs.Tab key={v} value={v} data-testid={`reports-tab-${v}`}>
              {t(`views.${v}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
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
      </Tabs>
    </Stack>
  );
}
