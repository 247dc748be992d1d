import {
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, fieldErrors } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { toast } from '../components/toast';
import { useDocumentTitle } from '../components/use-document-title';
import { STAFF_ROLES } from '../roles';
import { useSession } from '../session';
import classes from '../shell.module.css';

interface Staff {
  id: string;
  name: string;
  email: string;
  role: string;
  secondFactor: boolean;
  frozen: boolean;
  createdAt: string;
}
interface Invitation {
  id: string;
  email: string;
  name: string;
  role: string;
  kind: 'new_account' | 're_enrolment';
  status: 'pending' | 'accepted' | 'expired' | 'revoked';
  expiresAt: string;
  createdAt: string;
}
interface Compartment {
  id: string;
  code: string;
  name: string;
  purpose: string;
  members: number;
  createdAt: string;
}
interface Member {
  userId: string;
  name: string;
  role: string;
  grantedAt: string;
}

const STAFF_KEY = ['admin', 'staff'] as const;
const INVITATIONS_KEY = ['admin', 'invitations'] as const;
const COMPARTMENTS_KEY = ['admin', 'compartments'] as const;

function useStaff() {
  return useQuery({ queryKey: STAFF_KEY, queryFn: () => api.get<{ staff: Staff[] }>('/api/admin/staff') });
}

function useRoleOptions() {
  const { t } = useTranslation();
  return STAFF_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
}

/** People & access: staff accounts, invitations and compartments. Hides what the role cannot do. */
export function PeoplePage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const isAdmin = session.data?.role === 'administrator';
  const tabs = ['staff', ...(isAdmin ? ['invitations'] : []), 'compartments'];
  const tab = tabs.includes(params.get('tab') ?? '') ? (params.get('tab') as string) : 'staff';
  useDocumentTitle(t('people.title'));
  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('people.title')}
        </Title>
        <Text c="dimmed">{t('people.intro')}</Text>
      </Stack>
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'staff' ? { tab: v } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {tabs.map((k) => (
            <Tabs.Tab key={k} value={k} data-testid={`tab-${k}`}>
              {t(`people.tabs.${k}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="staff">
          <StaffTab isAdmin={isAdmin} selfId={session.data?.id} />
        </Tabs.Panel>
        {isAdmin && (
          <Tabs.Panel value="invitations">
            <InvitationsTab />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="compartments">
          <CompartmentsTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function StaffTab({ isAdmin, selfId }: { isAdmin: boolean; selfId?: string }) {
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

const INVITATION_COLOR: Record<Invitation['status'], string> = {
  pending: 'blue',
  accepted: 'green',
  expired: 'gray',
  revoked: 'red',
};

function InvitationsTab() {
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

function CompartmentsTab() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const compartments = useQuery({
    queryKey: COMPARTMENTS_KEY,
    queryFn: () => api.get<{ compartments: Compartment[] }>('/api/admin/compartments'),
  });
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { code: '', name: '', purpose: '' },
    validate: {
      code: (v) => (/^[A-Z][A-Z0-9-]{2,39}$/.test(v.trim()) ? null : t('people.compartments.codeRule')),
      name: (v) => (v.trim() ? null : t('people.compartments.nameRequired')),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<Compartment>('/api/admin/compartments', {
        code: values.code.trim(),
        name: values.name.trim(),
        ...(values.purpose.trim() ? { purpose: values.purpose.trim() } : {}),
      });
      form.reset();
      await queryClient.invalidateQueries({ queryKey: COMPARTMENTS_KEY });
      setSelected(created.id);
    } catch (e) {
      const fields = fieldErrors(e, ['code', 'name', 'purpose']);
      if (Object.keys(fields).length) form.setErrors(fields);
      else setError(e);
    } finally {
      setBusy(false);
    }
  });
  const list = compartments.data?.compartments ?? [];
  const current = list.find((c) => c.id === selected) ?? null;
  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
        {compartments.isPending ? (
          <PageLoader />
        ) : compartments.isError ? (
          <ErrorAlert error={compartments.error} />
        ) : list.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg" data-testid="compartments-empty">
            {t('people.compartments.none')}
          </Text>
        ) : (
          <Table verticalSpacing="sm" highlightOnHover data-testid="compartments-table">
            <Table.Caption>{t('people.compartments.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('people.compartments.code')}</Table.Th>
                <Table.Th>{t('people.compartments.name')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('people.compartments.members')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((c) => (
                <Table.Tr
                  key={c.id}
                  data-testid="compartment-row"
                  bg={c.id === selected ? 'passage.0' : undefined}
                >
                  <Table.Td>
                    <UnstyledButton
                      onClick={() => setSelected(c.id)}
                      fw={700}
                      fz="sm"
                      c="passage.8"
                      td="underline"
                      aria-pressed={c.id === selected}
                      data-testid="compartment-open"
                    >
                      {c.code}
                    </UnstyledButton>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.name}</Text>
                    {c.purpose && (
                      <Text size="xs" c="dimmed">
                        {c.purpose}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{c.members}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      {current && <MembersPanel compartment={current} />}

      <Paper
        withBorder
        radius="md"
        p={{ base: 'md', sm: 'lg' }}
        component="section"
        aria-labelledby="compartment-new"
      >
        <Stack gap="md">
          <Stack gap={2}>
            <Title order={2} size="h4" id="compartment-new">
              {t('people.compartments.formTitle')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('people.compartments.formIntro')}
            </Text>
          </Stack>
          {error ? <ErrorAlert error={error} /> : null}
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <TextInput
                  label={t('people.compartments.code')}
                  description={t('people.compartments.codeHint')}
                  required
                  maxLength={40}
                  autoCapitalize="characters"
                  data-testid="compartment-code"
                  key={form.key('code')}
                  {...form.getInputProps('code')}
                />
                <TextInput
                  label={t('people.compartments.name')}
                  description={t('people.compartments.nameHint')}
                  required
                  maxLength={120}
                  data-testid="compartment-name"
                  key={form.key('name')}
                  {...form.getInputProps('name')}
                />
              </SimpleGrid>
              <Textarea
                label={t('people.compartments.purpose')}
                maxLength={500}
                autosize
                minRows={2}
                data-testid="compartment-purpose"
                key={form.key('purpose')}
                {...form.getInputProps('purpose')}
              />
              <Group>
                <Button type="submit" loading={busy} data-testid="compartment-submit">
                  {t('people.compartments.submit')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Stack>
      </Paper>
    </Stack>
  );
}

function MembersPanel({ compartment }: { compartment: Compartment }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const staff = useStaff();
  const [pick, setPick] = useState<string | null>(null);
  const key = ['admin', 'compartments', compartment.id, 'members'];
  const members = useQuery({
    queryKey: key,
    queryFn: () =>
      api.get<{ members: Member[] }>(`/api/admin/compartments/${encodeURIComponent(compartment.id)}/members`),
  });
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: key }),
      queryClient.invalidateQueries({ queryKey: COMPARTMENTS_KEY }),
    ]);
  const grant = useMutation({
    mutationFn: (userId: string) =>
      api.put(
        `/api/admin/compartments/${encodeURIComponent(compartment.id)}/members/${encodeURIComponent(userId)}`,
      ),
    onSuccess: () => {
      setPick(null);
      return refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (userId: string) =>
      api.delete(
        `/api/admin/compartments/${encodeURIComponent(compartment.id)}/members/${encodeURIComponent(userId)}`,
      ),
    onSuccess: refresh,
  });
  const memberIds = new Set((members.data?.members ?? []).map((m) => m.userId));
  const candidates = (staff.data?.staff ?? [])
    .filter((s) => !s.frozen && !memberIds.has(s.id))
    .map((s) => ({ value: s.id, label: `${s.name} · ${t(`roles.${s.role}`, { defaultValue: s.role })}` }));
  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: 'md', sm: 'lg' }}
      component="section"
      aria-labelledby="members-title"
      data-testid="members-panel"
    >
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={2} size="h4" id="members-title">
            {t('people.compartments.membersOf', { code: compartment.code })}
          </Title>
          <Text size="sm" c="dimmed">
            {t('people.compartments.membersIntro')}
          </Text>
        </Stack>
        {grant.isError && <ErrorAlert error={grant.error} />}
        {revoke.isError && <ErrorAlert error={revoke.error} />}
        {members.isPending ? (
          <PageLoader />
        ) : members.isError ? (
          <ErrorAlert error={members.error} />
        ) : members.data.members.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="members-empty">
            {t('people.compartments.noMembers')}
          </Text>
        ) : (
          <Table verticalSpacing="xs" data-testid="members-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('people.staff.person')}</Table.Th>
                <Table.Th visibleFrom="xs">{t('people.staff.role')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('people.compartments.grantedAt')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.members.map((m) => (
                <Table.Tr key={m.userId} data-testid="member-row">
                  <Table.Td fw={600}>{m.name}</Table.Td>
                  <Table.Td visibleFrom="xs">{t(`roles.${m.role}`, { defaultValue: m.role })}</Table.Td>
                  <Table.Td visibleFrom="sm">{formatDate(m.grantedAt)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red.9"
                      c="red.9"
                      loading={revoke.isPending && revoke.variables === m.userId}
                      onClick={() => revoke.mutate(m.userId)}
                      aria-label={t('people.compartments.revokeNamed', { name: m.name })}
                      data-testid="member-revoke"
                    >
                      {t('people.compartments.revoke')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label={t('people.compartments.grantLabel')}
            placeholder={t('people.compartments.grantPlaceholder')}
            data={candidates}
            value={pick}
            onChange={setPick}
            searchable
            nothingFoundMessage={t('people.compartments.nobody')}
            w={{ base: '100%', xs: 320 }}
            comboboxProps={{ withinPortal: true }}
            data-testid="member-pick"
          />
          <Button
            disabled={!pick}
            loading={grant.isPending}
            onClick={() => pick && grant.mutate(pick)}
            data-testid="member-grant"
          >
            {t('people.compartments.grant')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
