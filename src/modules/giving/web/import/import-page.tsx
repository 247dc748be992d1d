import { Stack, Text } from '@mantine/core';
import { PageHeader } from '../../../../web/components/page-header';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { givingImportNamespace } from './i18n/namespace';
import { useImportT } from './import-ui';
import { ImportWizard } from './import-wizard';
import { RecentRuns, useRuns } from './recent-runs';

givingImportNamespace.register();

/**
 * CSV import of contacts and gifts (CiviCRM contribution or Salesforce NPSP Data Import layout): choose a
 * file, see the detected layout and the column mapping (change either and check again), read the dry run's
 * bad rows, then import all or nothing (or skip the bad rows) and watch the progress. Administrators see the
 * recent runs only: the server lets only the development team import.
 */
export function GivingImportPage() {
  const { t } = useImportT();
  // The server says whether this caller imports (the development team) or only reads the runs.
  const runs = useRuns();
  const mayImport = runs.data?.allowedActions.includes('import') ?? false;
  useDocumentTitle(t('title'));
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('title')} intro={t('intro')} />
      {runs.isPending ? null : mayImport ? (
        <ImportWizard />
      ) : (
        <Text size="sm" data-testid="import-read-only">
          {t('readOnly')}
        </Text>
      )}
      <RecentRuns />
    </Stack>
  );
}
