import { Badge } from '@mantine/core';
import { useSession } from '../../../web/session';
import { supportersNamespace } from './i18n/namespace';
import type { Supporter } from './supporters-api';

export function useSupportersT() {
  return supportersNamespace.useT();
}

/** Only the development team writes supporters and merges them; an administrator reads (people.policy.ts). */
export function useCanWrite(): boolean {
  return useSession().data?.role === 'development';
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
