import { Stack, Tabs } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../../web/components/page-header';
import { PageLoader } from '../../../web/components/page-loader';
import { QueryTabs } from '../../../web/components/query-tabs';
import { useDocumentTitle } from '../../../web/components/use-document-title';
import { CaseListView } from './case-list';
import { DashboardView } from './dashboard';
import { rescuesNamespace } from './i18n/namespace';
import { useRescuesT } from './ui';

rescuesNamespace.register();

// The case page and the intake form are the heavy parts: each loads when first opened.
const CasePage = lazy(async () => ({ default: (await import('./case-page')).CasePage }));
const OpenCaseForm = lazy(async () => ({ default: (await import('./open-case-form')).OpenCaseForm }));

const VIEWS = ['dashboard', 'cases', 'open'] as const;
type View = (typeof VIEWS)[number];

/**
 * Rescues, one console entry: the overview, the case list, the intake form, and a case by its code.
 * Views live in the query string (`?view=cases`, `?case=QUIET-HERON-27`): a code, never a name.
 */
export function RescuesPage() {
  const { t } = useRescuesT();
  const [params] = useSearchParams();
  const code = params.get('case');
  const view: View = VIEWS.includes(params.get('view') as View) ? (params.get('view') as View) : 'dashboard';
  useDocumentTitle(code ?? t(view === 'dashboard' ? 'title' : `views.${view}`));

  if (code) {
    return (
      <Suspense fallback={<PageLoader />}>
        <CasePage key={code} code={code} />
      </Suspense>
    );
  }

  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('title')} intro={t('intro')} />
      <QueryTabs
        param="view"
        value={view}
        defaultValue="dashboard"
        listLabel={t('views.label')}
        tabs={VIEWS.map((v) => ({ value: v, label: t(`views.${v}`), testId: `rescues-tab-${v}` }))}
      >
        <Tabs.Panel value="dashboard">
          <DashboardView />
        </Tabs.Panel>
        <Tabs.Panel value="cases">
          <CaseListView />
        </Tabs.Panel>
        <Tabs.Panel value="open">
          <Suspense fallback={<PageLoader />}>
            <OpenCaseForm />
          </Suspense>
        </Tabs.Panel>
      </QueryTabs>
    </Stack>
  );
}
