import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import classes from '../shell.module.css';

export interface SectionProps {
  title: string;
  children: ReactNode;
  testId?: string;
  /** Names the section by its heading (the heading takes this id, the section `aria-labelledby`). */
  headingId?: string;
  /** Beside the title, at its end (an "Add" button). */
  action?: ReactNode;
  /** A line under the title. */
  intro?: ReactNode;
  /**
   * `card` (default): a bordered card with a small heading. `roomy`: the same with more room and the intro
   * under the title (account security). `plain`: no card, a larger heading (the donor portal).
   */
  variant?: 'card' | 'roomy' | 'plain';
  /** A destructive zone: red border and heading (roomy only). */
  danger?: boolean;
}

/** A titled part of a page: the one section of every console and portal page. */
export function Section({
  title,
  children,
  testId,
  headingId,
  action,
  intro,
  variant = 'card',
  danger,
}: SectionProps) {
  if (variant === 'plain') {
    return (
      <Stack gap="sm" component="section" aria-labelledby={headingId} data-testid={testId}>
        <Title order={2} size="h3" id={headingId}>
          {title}
        </Title>
        {children}
      </Stack>
    );
  }
  if (variant === 'roomy') {
    return (
      <Paper
        component="section"
        aria-labelledby={headingId}
        withBorder
        radius="md"
        p={{ base: 'md', sm: 'lg' }}
        className={danger ? classes.dangerZone : undefined}
        data-testid={testId}
      >
        <Stack gap="md">
          <Stack gap={4}>
            <Title order={2} size="h4" id={headingId} c={danger ? 'red.8' : undefined}>
              {title}
            </Title>
            {intro && (
              <Text size="sm" c="dimmed">
                {intro}
              </Text>
            )}
          </Stack>
          {children}
        </Stack>
      </Paper>
    );
  }
  const heading = (
    <Title order={2} size="h4" mb="sm" id={headingId}>
      {title}
    </Title>
  );
  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: 'sm', sm: 'md' }}
      component="section"
      aria-labelledby={headingId}
      data-testid={testId}
    >
      {action === undefined ? (
        heading
      ) : (
        <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
          {heading}
          {action}
        </div>
      )}
      {intro && (
        <Text size="sm" c="dimmed" mb="sm">
          {intro}
        </Text>
      )}
      {children}
    </Paper>
  );
}
