import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { toast } from '../components/toast';
import classes from '../shell.module.css';
import { INVITATIONS_KEY, type Invitation, useRoleOptions } from './people-admin-api';

const INVITATION_COLOR: Record<Invitation['status'], string> = {
  pending: 'blue',
  accepted: 'green',
  expired: 'gray',
  revoked: 'red',
};

export function InvitationsTab() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const roleOptions = useRoleOptions();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const invitations = useQuery({
    queryKey: INVITATIONS_KEY,
    queryFn: () => api.get<{ invitations: Invitation[] }>('/api/admin/invitations'),
  });
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { name: '', email: '', role: 'field_partner' },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.nameRequired')),
      email: (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : t('validation.emailInvalid')),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/admin/invitations', {
        name: values.name.trim(),
        email: values.email.trim(),
        role: values.role,
      });
      toast(t('people.invitations.sent', { email: values.email.trim() }));
      form.reset();
      await queryClient.invalidateQueries({ queryKey: INVITATIONS_KEY });
    } catch (e) {
      const fields = fieldErrors(e, ['name', 'email', 'role']);
      if (Object.keys(fields).length) form.setErrors(fields);
      else setError(e);
    } finally {
      setBusy(false);
    }
  });
  return (
    <Stack gap="md">
      <Paper
        withBorder
        radius="md"
        p={{ base: 'md', sm: 'lg' }}
        component="section"
        aria-labelledby="invite-title"
      >
        <Stack gap="md">
          <Stack gap={2}>
            <Title order={2} size="h4" id="invite-title">
              {t('people.invitations.formTitle')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('people.invitations.formIntro')}
            </Text>
          </Stack>
          {error ? <ErrorAlert error={error} /> : null}
          <form onSubmit={submit} noValidate>
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
              <TextInput
                label={t('fields.name')}
                required
                maxLength={200}
                data-testid="invite-name"
                key={form.key('name')}
                {...form.getInputProps('name')}
              />
              <TextInput
                label={t('fields.email')}
                type="email"
                required
                maxLength={254}
                data-testid="invite-email"
                key={form.key('email')}
                {...form.getInputProps('email')}
              />
              <NativeSelect
                label={t('people.staff.role')}
                data={roleOptions}
                data-testid="invite-role"
                key={form.key('role')}
                {...form.getInputProps('role')}
              />
            </SimpleGrid>
            <Group mt="md">
              <Button type="submit" loading={busy} data-testid="invite-submit">
                {t('people.invitations.submit')}
              </Button>
            </Group>
          </form>
        </Stack>
      </Paper>
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
        {invitations.isPending ? (
          <PageLoader />
        ) : invitations.isError ? (
          <ErrorAlert error={invitations.error} />
        ) : invitations.data.invitations.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg" data-testid="invitations-empty">
            {t('people.invitations.none')}
          </Text>
        ) : (
          <Table verticalSpacing="sm" data-testid="invitations-table">
            <Table.Caption>{t('people.invitations.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('people.staff.person')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('people.staff.role')}</Table.Th>
                <Table.Th>{t('people.staff.status')}</Table.Th>
                <Table.Th visibleFrom="md">{t('people.invitations.expires')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {invitations.data.invitations.map((i) => (
                <Table.Tr key={i.id} data-testid="invitation-row" data-email={i.email}>
                  <Table.Td>
                    <Text size="sm" fw={600} className={classes.wrapAnywhere}>
                      {i.name}
                    </Text>
                    <Text size="xs" c="dimmed" className={classes.wrapAnywhere}>
                      {i.email}
                      {i.kind === 're_enrolment' ? ` · ${t('people.invitations.reEnrolment')}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{t(`roles.${i.role}`, { defaultValue: i.role })}</Table.Td>
                  <Table.Td>
                    <Badge
                      color={INVITATION_COLOR[i.status]}
                      variant="dot"
                      c="gray.9"
                      styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}
                      data-testid="invitation-status"
                    >
                      {t(`people.invitations.status.${i.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td visibleFrom="md">{formatDate(i.expiresAt)}</Table.Td>
                  <Table.Td ta="right">
                    {i.status === 'pending' && (
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red.9"
                        c="red.9"
                        onClick={() => setRevoking(i)}
                        aria-label={t('people.invitations.revokeNamed', { email: i.email })}
                        data-testid="invitation-revoke"
                      >
                        {t('people.invitations.revoke')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <ConfirmDialog
        opened={revoking !== null}
        title={t('people.invitations.revokeTitle')}
        body={t('people.invitations.revokeBody', { email: revoking?.email ?? '' })}
        confirmLabel={t('people.invitations.revoke')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await api.delete(`/api/admin/invitations/${encodeURIComponent(revoking?.id ?? '')}`);
          await queryClient.invalidateQueries({ queryKey: INVITATIONS_KEY });
        }}
        testId="invitation-revoke-confirm"
      />
    </Stack>
  );
}
