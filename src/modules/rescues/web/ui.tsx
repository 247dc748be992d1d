import { Badge, type BadgeProps } from '@mantine/core';
import { rescuesNamespace } from './i18n/namespace';
import type { CaseStatus, LegStatus } from './rescues-api';

export function useRescuesT() {
  return rescuesNamespace.useT();
}

const STATUS_COLOR: Record<CaseStatus, string> = {
  in_hiding: 'gray',
  on_route: 'blue',
  in_safe_country: 'teal',
  in_processing: 'teal',
  arrived: 'green',
  handed_over: 'green',
  closed: 'gray',
  paused: 'yellow',
  lost_contact: 'orange',
  detained: 'red',
  repatriated: 'red',
  withdrawn: 'gray',
};

/** Dot badges with dark text: light badges fail colour contrast at small sizes (src/web/README.md). */
export function StatusBadge({ status, ...props }: { status: CaseStatus } & BadgeProps) {
  const { t } = useRescuesT();
  return (
    <Badge variant="dot" c="gray.9" color={STATUS_COLOR[status]} data-testid="case-status" {...props}>
      {t(`status.${status}`)}
    </Badge>
  );
}

const LEG_COLOR: Record<LegStatus, string> = {
  planned: 'gray',
  under_way: 'blue',
  completed: 'green',
  delayed: 'yellow',
  compromised: 'red',
};

export function LegStatusBadge({ status }: { status: LegStatus }) {
  const { t } = useRescuesT();
  return (
    <Badge variant="dot" c="gray.9" color={LEG_COLOR[status]} data-testid="leg-status">
      {t(`legStatus.${status}`)}
    </Badge>
  );
}

/** A date-only ISO string (from <input type="date">) as midnight UTC of that day. */
export function dayToIso(day: string): string {
  return new Date(`${day}T00:00:00.000Z`).toISOString();
}
/** A local datetime-local value as an ISO instant. */
export function localToIso(value: string): string {
  return new Date(value).toISOString();
}
export function todayDay(): string {
  return new Date().toISOString().slice(0, 10);
}
