import { Alert, Anchor, Group, Stack } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Link, Route, Routes } from 'react-router';
import { PageHeader } from '../../../../web/components/page-header';
import { PageLoader } from '../../../../web/components/page-loader';
import { SectionLink } from '../../../../web/components/section-link';
import { BASE } from './giving-api';
import { GivingHome } from './giving-home';
import { givingNamespace } from './i18n/namespace';
import { DARK_TITLE, useGivingT } from './ui';

givingNamespace.register();

// Each view loads when first opened: the home (the ledger check) stays small.
const GiftListView = lazy(async () => ({ default: (await import('./gift-list')).GiftListView }));
const GiftPage = lazy(async () => ({ default: (await import('./gift-page')).GiftPage }));
const RecurringListView = lazy(async () => ({
  default: (await import('./recurring-list')).RecurringListView,
}));
const BatchListView = lazy(async () => ({ default: (await import('./batch-list')).BatchListView }));
const BatchPage = lazy(async () => ({ default: (await import('./batch-page')).BatchPage }));
const CampaignsView = lazy(async () => ({ default: (await import('./campaigns')).CampaignsView }));
const FundsView = lazy(async () => ({ default: (await import('./funds')).FundsView }));
const AllocateView = lazy(async () => ({ default: (await import('./allocate')).AllocateView }));

const SECTIONS = ['gifts', 'monthly', 'batches', 'campaigns', 'funds', 'allocations'] as const;

/**
 * Giving, one console entry with nested pages: /console/giving (home and the ledger check),
 * /gifts, /gifts/:id, /monthly, /batches, /batches/:id, /campaigns, /funds, /allocations. Development staff work
 * here; administrators read (the write buttons are hidden for them, and the server refuses the writes).
 */
export function GivingPage() {
  const { t } = useGivingT();
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('title')} intro={t('intro')} />
      <Group component="nav" aria-label={t('sections.label')} gap="xs" wrap="wrap">
        <SectionLink to={BASE} end label={t('sections.home')} testId="giving-nav-home" />
        {SECTIONS.map((s) => (
          <SectionLink key={s} to={`${BASE}/${s}`} label={t(`sections.${s}`)} testId={`giving-nav-${s}`} />
        ))}
      </Group>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route index element={<GivingHome />} />
          <Route path="gifts" element={<GiftListView />} />
          <Route path="gifts/:id" element={<GiftPage />} />
          <Route path="monthly" element={<RecurringListView />} />
          <Route path="batches" element={<BatchListView />} />
          <Route path="batches/:id" element={<BatchPage />} />
          <Route path="campaigns" element={<CampaignsView />} />
          <Route path="funds" element={<FundsView />} />
          <Route path="allocations" element={<AllocateView />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Stack>
  );
}

function NotFound() {
  const { t } = useGivingT();
  return (
    <Alert
      color="yellow"
      variant="light"
      role="alert"
      styles={DARK_TITLE}
      title={t('notFound.title')}
      data-testid="giving-not-found"
    >
      <Anchor component={Link} to={BASE}>
        {t('notFound.back')}
      </Anchor>
    </Alert>
  );
}
