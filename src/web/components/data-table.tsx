import { Paper, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from './error-alert';
import { PageLoader } from './page-loader';
import { ScrollTable } from './scroll-table';

export interface DataColumn {
  header: ReactNode;
  /** Amounts and counts line up on the right. */
  align?: 'right';
}

/**
 * A list as a table: a loader while the query is pending, its error, the `empty` text when there are no
 * rows, else a bordered table that scrolls sideways on a phone (ScrollTable) with a caption and a header.
 * Each row is the caller's own `<Table.Tr>` (its keys, test ids and cells); `footer` holds a "Show more".
 */
export function DataTable<T>({
  query,
  rows,
  columns,
  renderRow,
  label,
  minWidth,
  testId,
  caption,
  empty,
  emptyTestId,
  footer,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown };
  rows: readonly T[];
  columns: readonly DataColumn[];
  renderRow: (row: T) => ReactNode;
  /** Names the scrolling region for screen readers. */
  label: string;
  minWidth: number;
  testId: string;
  caption?: ReactNode;
  empty: ReactNode;
  emptyTestId: string;
  /** Under the table, inside its frame: "Show more" where the list is read a page at a time. */
  footer?: ReactNode;
}) {
  if (query.isPending) return <PageLoader />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  if (rows.length === 0) return <Text data-testid={emptyTestId}>{empty}</Text>;
  return (
    <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
      <ScrollTable minWidth={minWidth} label={label}>
        <Table verticalSpacing="sm" data-testid={testId}>
          {caption !== undefined && <Table.Caption>{caption}</Table.Caption>}
          <Table.Thead>
            <Table.Tr>
              {columns.map((c, i) => (
                // Columns are fixed for a render: their place is their identity.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                <Table.Th key={i} ta={c.align}>
                  {c.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{rows.map(renderRow)}</Table.Tbody>
        </Table>
      </ScrollTable>
      {footer}
    </Paper>
  );
}
