import { Paper, Text } from '@mantine/core';
import { givingImportNamespace } from './i18n/namespace';
import type { ImportField, ImportLayout } from './import-api';

export function useImportT() {
  return givingImportNamespace.useT();
}

export function useCount() {
  const { i18n } = useImportT();
  return (n: number) => n.toLocaleString(i18n.language);
}

export function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={24} fw={700} lh={1.2} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

/** The layout and column mapping the person chose over the detected ones (sent with the next check). */
export interface Choices {
  layout?: ImportLayout;
  mapping?: Record<string, ImportField | null>;
}
