import { Badge, type BadgeProps } from '@mantine/core';
import type { GiftStatus } from './giving-api';
import { givingNamespace } from './i18n/namespace';

export function useGivingT() {
  return givingNamespace.useT();
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
