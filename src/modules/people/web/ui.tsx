import { Badge, Paper, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatAmount } from '../../../platform/money/money';
import { useSession } from '../../../web/session';
import { SUPPORTERS_NS } from './i18n/namespace';
import type { Supporter } from './supporters-api';

export function useSupportersT() {
  return useTranslation(SUPPORTERS_NS);
}

/** Only the development team writes supporters and merges them; an administrator reads (people.policy.ts). */
export function useCanWrite(): boolean {
  return useSession().data?.role === 'development';
}

export function toast(message: string, color = 'passage') {
  notifications.show({ color, message, closeButtonProps: { 'aria-label': i18next.t('shell.close') } });
}

/** Minor units in the reader's language ("$1,234.56", "₩50,000"), exact (platform/money). */
export function useMoney() {
  const { i18n } = useSupportersT();
  return (minor: number, currency: string) => formatAmount(minor, currency, i18n.language);
}

/** "Individual", "Household", "Organisation · Church". Dot badge with dark text for contrast. */
export function KindBadge({ supporter }: { supporter: Pick<Supporter, 'kind' | 'organisationType'> }) {
  const { t } = useSupportersT();
  const label =
    supporter.kind === 'organisation' && supporter.organisationType
      ? `${t(`kind.${supporter.kind}`)} · ${t(`organisationType.${supporter.organisationType}`)}`
      : t(`kind.${supporter.kind}`);
  const color = supporter.kind === 'individual' ? 'blue' : supporter.kind === 'household' ? 'teal' : 'grape';
  return (
    <Badge variant="dot" c="gray.9" color={color} data-testid="supporter-kind">
      {label}
    </Badge>
  );
}

/** A titled card on the supporter page. */
export function Section({
  title,
  testId,
  children,
  action,
}: {
  title: string;
  testId: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  const headingId = `${testId}-heading`;
  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: 'sm', sm: 'md' }}
      component="section"
      aria-labelledby={headingId}
      data-testid={testId}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
        <Title order={2} size="h4" mb="sm" id={headingId}>
          {title}
        </Title>
        {action}
      </div>
      {children}
    </Paper>
  );
}
