import { Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageHeader } from '../../../../web/components/page-header';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { pledgesNamespace } from './i18n/namespace';
import { type PledgeList as PledgeListAnswer, pledgeKeys } from './pledges-api';
import { RaisedBar, usePledgesT } from './ui';

pledgesNamespace.register();

const PledgeDetailView = lazy(async () => ({ default: (await import('./pledge-detail')).PledgeDetailView }));
const PledgeForm = lazy(async () => ({ default: (await import('./pledge-form')).PledgeForm }));

/**
 * Pledges, one console entry: the list, a pledge (`?pledge=<id>`) and the form (`?view=new`). Sponsor and
 * matching pledges, what they raised, what is due and their invoices.
 */
export function PledgesPage() {
  const { t } = usePledgesT();
  const [params] = useSearchParams();
  const id = params.get('pledge');
  const creating = params.get('view') === 'new';
  useDocumentTitle(creating ? t('form.title') : t('title'));
  if (id)
    return (
      <Suspense fallback={<PageLoader />}>
        <PledgeDetailView key={id} id={id} />
      </Suspense>
    );
  if (creating)
    return (
      <Suspense fallback={<PageLoader />}>
        <PledgeForm />
      </Suspense>
    );
  return <PledgeList />;
}

function PledgeList() {
  const { t } = usePledgesT();
  const money = useMoney();
  const list = useQuery({
    queryKey: pledgeKeys.list(),
    queryFn: () => api.get<PledgeListAnswer>('/api/giving/pledges'),
  });
  const canWrite = list.data?.allowedActions.includes('create') ?? false;
  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-end">
        <PageHeader title={t('title')} intro={t('intro')} />
        <Group gap="sm">
          <CsvDownload
            href={csvHref('/api/giving/pledges')}
            label={t('downloadCsv')}
            testId="pledge-list-csv"
            stepUp
          />
          {canWrite && (
            <Button component={Link} to="?view=new" data-testid="pledge-new">
              {t('list.new')}
            </Button>
          )}
        </Group>
      </Group>
      {list.isError && <ErrorAlert error={list.error} />}
      {list.isPending && <PageLoader />}
      {list.data && list.data.pledges.length === 0 && (
        <Text data-testid="pledges-empty">{t('list.empty')}</Text>
      )}
      {list.data && list.data.pledges.length > 0 && (
        <ScrollTable minWidth={720} label={t('title')}>
          <Table striped highlightOnHover data-testid="pledge-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('list.name')}</Table.Th>
                <Table.Th>{t('list.sponsor')}</Table.Th>
                <Table.Th>{t('list.kind')}</Table.Th>
                <Table.Th ta="right">{t('list.raised')}</Table.Th>
                <Table.Th ta="right">{t('list.due')}</Table.Th>
                <Table.Th ta="right">{t('list.cap')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.pledges.map((p) => (
                <Table.Tr key={p.id} data-testid="pledge-row">
                  <Table.Td>
                    <Anchor component={Link} to={`?pledge=${p.id}`} data-testid="pledge-link">
                      {p.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{p.sponsor.name}</Table.Td>
                  <Table.Td>{t(`kind.${p.kind}`)}</Table.Td>
                  <Table.Td ta="right">
                    <Stack gap={2}>
                      <span data-testid="pledge-raised">{money(p.raisedMinor, p.currency)}</span>
                      <RaisedBar pledge={p} />
                    </Stack>
                  </Table.Td>
                  <Table.Td ta="right" data-testid="pledge-due">
                    {money(p.dueMinor, p.currency)}
                  </Table.Td>
                  <Table.Td ta="right">
                    {p.capMinor ? money(p.capMinor, p.currency) : t('list.noCap')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
