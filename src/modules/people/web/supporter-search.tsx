import { Anchor, Group, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../web/api';
import { CsvDownload, csvHref } from '../../../web/components/csv-download';
import { ErrorAlert } from '../../../web/components/error-alert';
import { PageLoader } from '../../../web/components/page-loader';
import { useDocumentTitle } from '../../../web/components/use-document-title';
import { type Supporter, supporterKeys, supporterLink } from './supporters-api';
import { KindBadge, useSupportersT } from './ui';

const LIMIT = 50;

/**
 * Search by name, email (from its start) or postcode, and by tag; the words live in the address
 * (`?q=kim&tag=gala-2026`) so Back returns to the same list. Asks the server a moment after typing stops.
 */
export function SupporterSearchView() {
  const { t } = useSupportersT();
  useDocumentTitle(t('title'));
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const tag = params.get('tag') ?? '';
  const [debouncedQ] = useDebouncedValue(q.trim(), 300);
  const [debouncedTag] = useDebouncedValue(tag.trim().toLowerCase(), 300);
  const set = (next: { q?: string; tag?: string }) => {
    const merged = { q, tag, ...next };
    setParams(
      { ...(merged.q ? { q: merged.q } : {}), ...(merged.tag ? { tag: merged.tag } : {}) },
      { replace: true },
    );
  };
  // A tag the server would refuse (it must be 1–40 letters, digits, spaces, _ or -) is not asked for.
  const tagValid = !debouncedTag || /^[a-z0-9][a-z0-9 _-]{0,39}$/.test(debouncedTag);
  const results = useQuery({
    queryKey: supporterKeys.search(debouncedQ, debouncedTag),
    queryFn: () => {
      const search = new URLSearchParams({ limit: String(LIMIT) });
      if (debouncedQ) search.set('q', debouncedQ);
      if (debouncedTag) search.set('tag', debouncedTag);
      return api.get<{ supporters: Supporter[] }>(`/api/people?${search}`);
    },
    enabled: tagValid,
    placeholderData: keepPreviousData,
  });
  const rows = results.data?.supporters ?? [];

  return (
    <Stack gap="md">
      <Group gap="md" align="flex-start" wrap="wrap">
        <TextInput
          label={t('search.q')}
          description={t('search.qHint')}
          value={q}
          onChange={(e) => set({ q: e.currentTarget.value })}
          data-testid="supporter-search-q"
          type="search"
          w={{ base: '100%', sm: 340 }}
        />
        <TextInput
          label={t('search.tag')}
          description={t('search.tagHint')}
          value={tag}
          onChange={(e) => set({ tag: e.currentTarget.value })}
          error={tagValid ? null : t('search.tagInvalid')}
          data-testid="supporter-search-tag"
          w={{ base: '100%', sm: 220 }}
        />
        <Stack justify="flex-end" style={{ alignSelf: 'flex-end' }}>
          <CsvDownload
            href={csvHref('/api/people', { q: debouncedQ, tag: tagValid ? debouncedTag : '' })}
            label={t('downloadCsv')}
            testId="supporter-list-csv"
            stepUp
          />
        </Stack>
      </Group>
      {results.isPending ? (
        <PageLoader />
      ) : results.isError ? (
        <ErrorAlert error={results.error} />
      ) : rows.length === 0 ? (
        <Text data-testid="supporter-search-empty">{t('search.empty')}</Text>
      ) : (
        <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
          {/* On a phone the table scrolls sideways inside its card; the page itself does not. */}
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="sm" data-testid="supporter-results" aria-busy={results.isFetching}>
              <Table.Caption>
                {rows.length >= LIMIT
                  ? t('search.first', { count: LIMIT })
                  : t('search.shown', { count: rows.length })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('fields.name')}</Table.Th>
                  <Table.Th>{t('fields.kind')}</Table.Th>
                  <Table.Th>{t('fields.email')}</Table.Th>
                  <Table.Th>{t('fields.postcode')}</Table.Th>
                  <Table.Th>{t('fields.phone')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((s) => (
                  <Table.Tr key={s.id} data-testid="supporter-row" data-id={s.id}>
                    <Table.Td>
                      <Anchor component={Link} to={supporterLink(s.id)} fw={600}>
                        {s.displayName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <KindBadge supporter={s} />
                    </Table.Td>
                    <Table.Td>{s.email ?? '—'}</Table.Td>
                    <Table.Td>{s.postcode ?? '—'}</Table.Td>
                    <Table.Td>{s.phone ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
