import { Paper, Text } from '@mantine/core';
import { givingImportNamespace } from './i18n/namespace';

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
