import { Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A console page's heading (the one h1) and the line that says what the page is for. */
export function PageHeader({ title, intro }: { title: ReactNode; intro: ReactNode }) {
  return (
    <Stack gap={4}>
      <Title order={1} size="h2">
        {title}
      </Title>
      <Text c="dimmed">{intro}</Text>
    </Stack>
  );
}
