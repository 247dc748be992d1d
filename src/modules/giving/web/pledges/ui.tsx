import { Badge, Progress } from '@mantine/core';
import { pledgesNamespace } from './i18n/namespace';
import type { Invoice, Pledge } from './pledges-api';

export function usePledgesT() {
  return pledgesNamespace.useT();
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
