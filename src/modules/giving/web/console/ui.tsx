import { Badge, type BadgeProps, Paper, Table, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../money';
import type { GiftStatus, GivingCurrency } from './giving-api';
import { GIVING_NS } from './i18n/namespace';

export function useGivingT() {
  return useTranslation(GIVING_NS);
}

/** Formats minor units in the reader's language: "$1,234.56", "₩50,000", "−$50.00". */
export function useMoney() {
  const { i18n } = useGivingT();
  return (minor: number, currency: string) => {
    const text = formatMoney(Math.abs(minor), currency as GivingCurrency, i18n.language);
    // A true minus sign: a refund reads as a negative amount, not a dash.
    return minor < 0 ? `\u2212${text}` : text;
  };
}

export function toast(message: string, color = 'passage') {
  notifications.show({ color, message, closeButtonProps: { 'aria-label': i18next.t('shell.close') } });
}

const STATUS_COLOR: Record<GiftStatus, string> = {
  pending: 'yellow',
  settled: 'green',
  failed: 'red',
  refunded: 'gray',
};

/** Dot badges with dark text: light badges fail colour contrast at small sizes (src/web/README.md). */
export function GiftStatusBadge({ status, ...props }: { status: GiftStatus } & BadgeProps) {
  const { t } = useGivingT();
  return (
    <Badge variant="dot" c="gray.9" color={STATUS_COLOR[status]} data-testid="gift-status" {...props}>
      {t(`status.${status}`)}
    </Badge>
  );
}

export function BatchStatusBadge({ status }: { status: 'open' | 'posted' }) {
  const { t } = useGivingT();
  return (
    <Badge variant="dot" c="gray.9" color={status === 'open' ? 'yellow' : 'green'} data-testid="batch-status">
      {t(`batchStatus.${status}`)}
    </Badge>
  );
}

/**
 * The title of a light red or yellow alert in Mantine's light text colour is under 4.5:1 on its own
 * background; a dark title keeps it readable (WCAG AA).
 */
export const DARK_TITLE = { title: { color: 'var(--mantine-color-gray-9)' } } as const;

export function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }} component="section" data-testid={testId}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/**
 * A table that scrolls sideways inside its own box on a phone, instead of the whole page. The box can take
 * the keyboard focus (and so be scrolled with the arrow keys) and is named for screen readers.
 */
export function ScrollTable({
  minWidth,
  label,
  children,
}: {
  minWidth: number;
  label: string;
  children: ReactNode;
}) {
  return (
    // Focusable: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Table.ScrollContainer>
  );
}
