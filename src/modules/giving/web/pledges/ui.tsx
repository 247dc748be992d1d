import { Badge, Paper, Progress, Table, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../money';
import { PLEDGES_NS } from './i18n/namespace';
import type { GivingCurrency, Invoice, Pledge } from './pledges-api';

export function usePledgesT() {
  return useTranslation(PLEDGES_NS);
}

/** Minor units in the reader's language: "$1,234.56", "₩50,000". */
export function useMoney() {
  const { i18n } = usePledgesT();
  return (minor: number, currency: GivingCurrency) => formatMoney(minor, currency, i18n.language);
}

export function toast(message: string, color = 'passage') {
  notifications.show({ color, message, closeButtonProps: { 'aria-label': i18next.t('shell.close') } });
}

const INVOICE_COLOR: Record<Invoice['status'], string> = { issued: 'yellow', paid: 'green', void: 'gray' };

/** Dot badges with dark text: light badges fail colour contrast at small sizes (src/web/README.md). */
export function InvoiceStatusBadge({ status }: { status: Invoice['status'] }) {
  const { t } = usePledgesT();
  return (
    <Badge variant="dot" c="gray.9" color={INVOICE_COLOR[status]} data-testid="invoice-status">
      {t(`invoiceStatus.${status}`)}
    </Badge>
  );
}

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

/** How close a pledge is to its cap (nothing for a pledge without one). */
export function RaisedBar({ pledge }: { pledge: Pledge }) {
  const { t } = usePledgesT();
  if (!pledge.capMinor) return null;
  const percent = Math.min(100, Math.floor((pledge.raisedMinor * 100) / pledge.capMinor));
  return (
    <Progress
      value={percent}
      size="sm"
      aria-label={t('list.capProgress', { percent })}
      color={pledge.capReached ? 'green' : 'passage'}
    />
  );
}

/**
 * A table that scrolls sideways inside its own box on a narrow screen. The box takes the keyboard focus (so
 * it scrolls with the arrow keys) and is named for screen readers (WCAG 2.1.1).
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
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Table.ScrollContainer>
  );
}
