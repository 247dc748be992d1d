import { Alert, Anchor, Group, Stack } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Link, Route, Routes } from 'react-router';
import { PageHeader } from '../../../web/components/page-header';
import { PageLoader } from '../../../web/components/page-loader';
import { SectionLink } from '../../../web/components/section-link';
import { supportersNamespace } from './i18n/namespace';
import { SupporterSearchView } from './supporter-search';
import { BASE } from './supporters-api';
import { useCanWrite, useSupportersT } from './ui';

supportersNamespace.register();

// The supporter page and the duplicates list are the heavier parts: each loads when first opened.
const SupporterPage = lazy(async () => ({ default: (await import('./supporter-page')).SupporterPage }));
const NewSupporterView = lazy(async () => ({ default: (await import('./supporter-form')).NewSupporterView }));
const DuplicatesView = lazy(async () => ({ default: (await import('./duplicates')).DuplicatesView }));

/**
 * Supporters, one console entry with nested pages: /console/supporters (search), /new, /duplicates and
 * /:id (one supporter: contact details, consent, tags, notes, giving, timeline). The development team
 * works here; administrators read (write controls are hidden for them, and the server refuses them).
 */
export function SupportersPage() {
  const { t } = useSupportersT();
  const canWrite = useCanWrite();
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('title')} intro={t('intro')} />
      <Group component="nav" aria-label={t('sections.label')} gap="xs" wrap="wrap">
        <SectionLink to={BASE} end label={t('sections.search')} testId="supporters-nav-search" />
        {canWrite && <SectionLink to={`${BASE}/new`} label={t('sections.new')} testId="supporters-nav-new" />}
        <SectionLink
          to={`${BASE}/duplicates`}
          label={t('sections.duplicates')}
          testId="supporters-nav-duplicates"
        />
      </Group>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route index element={<SupporterSearchView />} />
          <Route path="new" element={<NewSupporterView />} />
          <Route path="duplicates" element={<DuplicatesView />} />
          <Route path=":id" element={<SupporterPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Stack>
  );
}

function NotFound() {
  const { t } = useSupportersT();
  return (
    <Alert
      color="passage"
      variant="light"
      role="alert"
      title={t('notFound.title')}
      data-testid="supporters-not-found"
    >
      <Anchor component={Link} to={BASE}>
        {t('notFound.back')}
      </Anchor>
    </Alert>
  );
}
