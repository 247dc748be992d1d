import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { STAFF_ROLES } from '../roles';

export interface Staff {
  id: string;
  name: string;
  email: string;
  role: string;
  secondFactor: boolean;
  frozen: boolean;
  /** Locked by failed sign-ins (an administrator or security lead can unlock it). */
  locked: boolean;
  /** An administrator allowed API tokens for this account (roles that read S4 data need it). */
  apiTokensAllowed: boolean;
  createdAt: string;
}
export interface Invitation {
  id: string;
  email: string;
  name: string;
  role: string;
  kind: 'new_account' | 're_enrolment';
  status: 'pending' | 'accepted' | 'expired' | 'revoked';
  expiresAt: string;
  createdAt: string;
}
export interface Compartment {
  id: string;
  code: string;
  name: string;
  purpose: string;
  members: number;
  createdAt: string;
}
export interface Member {
  userId: string;
  name: string;
  role: string;
  grantedAt: string;
}

export const STAFF_KEY = ['admin', 'staff'] as const;
export const INVITATIONS_KEY = ['admin', 'invitations'] as const;
export const COMPARTMENTS_KEY = ['admin', 'compartments'] as const;

export function useStaff() {
  return useQuery({ queryKey: STAFF_KEY, queryFn: () => api.get<{ staff: Staff[] }>('/api/admin/staff') });
}

export function useRoleOptions() {
  const { t } = useTranslation();
  return STAFF_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
}
