import { Badge, Group, Paper, Select, Stack, Table, Title } from '@mantine/core';
import { ScrollTable } from '../../../../web/components/scroll-table';
import {
  IMPORT_FIELDS,
  IMPORT_LAYOUTS,
  type ImportField,
  type ImportLayout,
  type ImportReport,
} from './import-api';
import type { Choices } from './import-ui';
import { useImportT } from './import-ui';

const LEAVE_OUT = '';

/** The detected layout and the column mapping, each changeable (then the file is checked again). */
export function MappingStep({
  report,
  choices,
  onChange,
}: {
  report: ImportReport;
  choices: Choices;
  onChange: (next: Choices) => void;
}) {
  const { t } = useImportT();
  const layout = choices.layout ?? report.layout;
  const fieldOptions = [
    { value: LEAVE_OUT, label: t('mapping.leaveOut') },
    ...IMPORT_FIELDS.map((f) => ({ value: f, label: t(`fields.${f}`) })),
  ];
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('mapping.title')}
        </Title>
        <Group align="flex-end">
          <Select
            label={t('mapping.layout')}
            data-testid="import-layout"
            data={IMPORT_LAYOUTS.map((l) => ({ value: l, label: t(`layouts.${l}`) }))}
            value={layout}
            allowDeselect={false}
            // A new layout brings its own default mapping: earlier column choices are dropped.
            onChange={(v) => v && onChange({ layout: v as ImportLayout })}
            w={260}
          />
          {!choices.layout ? (
            <Badge variant="dot" c="gray.9" data-testid="import-detected">
              {t('mapping.detected')}
            </Badge>
          ) : null}
        </Group>
        <ScrollTable minWidth={420} label={t('mapping.table')}>
          <Table striped aria-label={t('mapping.table')} data-testid="import-mapping">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mapping.column')}</Table.Th>
                <Table.Th>{t('mapping.field')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.headers.map((header) => {
                const field =
                  choices.mapping && header in choices.mapping
                    ? choices.mapping[header]
                    : report.mapping[header];
                return (
                  <Table.Tr key={header} data-testid="import-mapping-row">
                    <Table.Td>{header}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t('mapping.fieldFor', { header })}
                        data={fieldOptions}
                        value={field ?? LEAVE_OUT}
                        allowDeselect={false}
                        searchable
                        onChange={(v) =>
                          onChange({
                            layout,
                            mapping: { ...choices.mapping, [header]: v ? (v as ImportField) : null },
                          })
                        }
                        size="xs"
                        maw={260}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      </Stack>
    </Paper>
  );
}
