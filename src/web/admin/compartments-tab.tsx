import {
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
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
import { api, fieldErrors } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { COMPARTMENTS_KEY, type Compartment, type Member, useStaff } from './people-admin-api';

export function CompartmentsTab() {
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
