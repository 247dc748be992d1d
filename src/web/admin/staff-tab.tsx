import { Badge, Button, Group, NativeSelect, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { ScrollTable } from '../components/scroll-table';
import { toast } from '../components/toast';
import { S4_ROLES } from '../roles';
import classes from '../shell.module.css';
import { INVITATIONS_KEY, STAFF_KEY, type Staff, useRoleOptions, useStaff } from './people-admin-api';

export function StaffTab({ isAdmin, selfId }: { isAdmin: boolean; selfId?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const staff = useStaff();
  const roleOptions = useRoleOptions();
  const [freezing, setFreezing] = useState<Staff | null>(null);
  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: string }) =>
      api.patch(`/api/admin/staff/${encodeURIComponent(id)}`, { role }),
    onSuccess: () => {
      toast(t('people.staff.roleChanged'));
      return queryClient.invalidateQueries({ queryKey: STAFF_KEY });
    },
    onError: () => queryClient.invalidateQueries({ queryKey: STAFF_KEY }),
  });
  const tokenLeave = useMutation({
    mutationFn: ({ id, allowed }: { id: string; allowed: boolean }) =>
      api.put(`/api/admin/staff/${encodeURIComponent(id)}/api-tokens`, { allowed }),
    onSuccess: (_, { allowed }) => {
      toast(t(allowed ? 'people.staff.tokensAllowedDone' : 'people.staff.tokensStoppedDone'));
      return queryClient.invalidateQueries({ queryKey: STAFF_KEY });
    },
  });
  const unlock = useMutation({
    mutationFn: (id: string) => api.post(`/api/admin/staff/${encodeURIComponent(id)}/unlock`),
    onSuccess: () => {
      toast(t('people.staff.unlocked'));
      return queryClient.invalidateQueries({ queryKey: STAFF_KEY });
    },
  });
  const reEnrol = useMutation({
    mutationFn: (id: string) => api.post(`/api/admin/staff/${encodeURIComponent(id)}/re-enrolment`),
    onSuccess: () => {
      toast(t('people.staff.reEnrolmentSent'));
      return queryClient.invalidateQueries({ queryKey: INVITATIONS_KEY });
    },
  });

  if (staff.isPending) return <PageLoader />;
  if (staff.isError) return <ErrorAlert error={staff.error} />;
  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
      <Stack gap="sm">
        {changeRole.isError && <ErrorAlert error={changeRole.error} />}
        {reEnrol.isError && <ErrorAlert error={reEnrol.error} />}
        {unlock.isError && <ErrorAlert error={unlock.error} />}
        {tokenLeave.isError && <ErrorAlert error={tokenLeave.error} />}
        {/* The actions column holds up to three buttons: on a phone the table scrolls in its own box. */}
        <ScrollTable minWidth={560} label={t('people.staff.caption')}>
          <Table verticalSpacing="sm" data-testid="staff-table">
            <Table.Caption>{t('people.staff.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('people.staff.person')}</Table.Th>
                <Table.Th>{t('people.staff.role')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('people.staff.status')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {staff.data.staff.map((s) => (
                <Table.Tr key={s.id} data-testid="staff-row" data-email={s.email}>
                  <Table.Td>
                    <Text size="sm" fw={600} className={classes.wrapAnywhere}>
                      {s.name}
                    </Text>
                    <Text size="xs" c="dimmed" className={classes.wrapAnywhere}>
                      {s.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {isAdmin && s.id !== selfId && !s.frozen ? (
                      <NativeSelect
                        size="xs"
                        aria-label={t('people.staff.roleOf', { name: s.name })}
                        value={s.role}
                        data={roleOptions}
                        disabled={changeRole.isPending}
                        onChange={(e) => changeRole.mutate({ id: s.id, role: e.currentTarget.value })}
                        data-testid="staff-role"
                      />
                    ) : (
                      <Text size="sm">{t(`roles.${s.role}`, { defaultValue: s.role })}</Text>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Group gap={6}>
                      {s.frozen ? (
                        <Badge color="red" variant="dot" c="gray.9" data-testid="staff-frozen">
                          {t('people.staff.frozen')}
                        </Badge>
                      ) : (
                        <Badge color="green" variant="dot" c="gray.9">
                          {t('people.staff.active')}
                        </Badge>
                      )}
                      {!s.frozen && s.locked && (
                        <Badge color="orange" variant="dot" c="gray.9" data-testid="staff-locked">
                          {t('people.staff.locked')}
                        </Badge>
                      )}
                      {!s.frozen && !s.secondFactor && (
                        <Badge color="yellow" variant="dot" c="gray.9">
                          {t('people.staff.noFactor')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">
                    {s.frozen ? (
                      <Button
                        size="compact-sm"
                        variant="light"
                        loading={reEnrol.isPending && reEnrol.variables === s.id}
                        onClick={() => reEnrol.mutate(s.id)}
                        data-testid="staff-re-enrol"
                      >
                        {t('people.staff.reEnrol')}
                      </Button>
                    ) : s.id !== selfId ? (
                      <Group gap={4} justify="flex-end" wrap="wrap">
                        {isAdmin && (S4_ROLES as readonly string[]).includes(s.role) && (
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            loading={tokenLeave.isPending && tokenLeave.variables?.id === s.id}
                            onClick={() => tokenLeave.mutate({ id: s.id, allowed: !s.apiTokensAllowed })}
                            aria-label={t(
                              s.apiTokensAllowed
                                ? 'people.staff.tokensStopNamed'
                                : 'people.staff.tokensAllowNamed',
                              { name: s.name },
                            )}
                            data-testid="staff-api-tokens"
                          >
                            {t(s.apiTokensAllowed ? 'people.staff.tokensStop' : 'people.staff.tokensAllow')}
                          </Button>
                        )}
                        {s.locked && (
                          <Button
                            size="compact-sm"
                            variant="light"
                            loading={unlock.isPending && unlock.variables === s.id}
                            onClick={() => unlock.mutate(s.id)}
                            aria-label={t('people.staff.unlockNamed', { name: s.name })}
                            data-testid="staff-unlock"
                          >
                            {t('people.staff.unlock')}
                          </Button>
                        )}
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red.9"
                          c="red.9"
                          onClick={() => setFreezing(s)}
                          aria-label={t('people.staff.freezeNamed', { name: s.name })}
                          data-testid="staff-freeze"
                        >
                          {t('people.staff.freeze')}
                        </Button>
                      </Group>
                    ) : (
                      <Text size="xs" c="dimmed">
                        {t('people.staff.you')}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      </Stack>
      <ConfirmDialog
        opened={freezing !== null}
        title={t('people.staff.freezeTitle', { name: freezing?.name ?? '' })}
        body={t('people.staff.freezeBody')}
        confirmLabel={t('people.staff.freezeConfirm')}
        onClose={() => setFreezing(null)}
        onConfirm={async () => {
          await api.post(`/api/admin/staff/${encodeURIComponent(freezing?.id ?? '')}/burn`);
          toast(t('people.staff.frozenDone'));
          await queryClient.invalidateQueries({ queryKey: STAFF_KEY });
        }}
        testId="staff-freeze-confirm"
      />
    </Paper>
  );
}
