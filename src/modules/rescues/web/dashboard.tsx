import { Anchor, Button, Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { PageLoader } from '../../../web/components/page-loader';
import { toast } from '../../../web/components/toast';
import { type Alert, CASE_STATUS_LIST, caseLink, type Dashboard, rescueKeys } from './rescues-api';
import { StatusBadge, useRescuesT } from './ui';

function Figure({
  label,
  value,
  to,
  linkLabel,
  testId,
}: {
  label: string;
  value: number;
  to?: string;
  linkLabel?: string;
  testId: string;
}) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} lh={1.2} data-testid={testId}>
        {value}
      </Text>
      {to && value > 0 ? (
        <Anchor component={Link} to={to} size="sm">
          {linkLabel}
        </Anchor>
      ) : null}
    </Paper>
  );
}

/** The coordinator's overview: what needs attention first, over the caller's compartments only. */
export function DashboardView() {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const queryClient = useQueryClient();
  const dashboard = useQuery({
    queryKey: rescueKeys.dashboard,
    queryFn: () => api.get<Dashboard>('/api/rescues/dashboard'),
    refetchInterval: 60_000,
  });
  const alerts = useQuery({
    queryKey: rescueKeys.alerts,
    queryFn: () => api.get<{ alerts: Alert[] }>('/api/rescues/alerts'),
    refetchInterval: 60_000,
  });
  const acknowledge = useMutation({
    mutationFn: (id: string) => api.post(`/api/rescues/alerts/${encodeURIComponent(id)}/acknowledge`),
    onSuccess: () => {
      toast(t('dashboard.acknowledged'));
      return queryClient.invalidateQueries({ queryKey: rescueKeys.all });
    },
  });

  if (dashboard.isPending) return <PageLoader />;
  if (dashboard.isError) return <ErrorAlert error={dashboard.error} />;
  const d = dashboard.data;
  const statuses = CASE_STATUS_LIST.filter((s) => (d.byStatus[s] ?? 0) > 0);

  return (
    <Stack gap="lg" data-testid="rescue-dashboard">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Figure label={t('dashboard.onRouteNow')} value={d.onRouteNow} testId="dash-on-route" />
        <Figure label={t('dashboard.openIncidents')} value={d.openIncidents} testId="dash-incidents" />
        <Figure
          label={t('dashboard.flaggedCases')}
          value={d.flaggedCases}
          testId="dash-flagged"
          to="/console/rescues?view=cases&flagged=1"
          linkLabel={t('dashboard.showFlagged')}
        />
        <Figure label={t('dashboard.openAlerts')} value={d.openAlerts} testId="dash-alerts" />
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
          <Title order={2} size="h4" mb="sm">
            {t('dashboard.byStatus')}
          </Title>
          {statuses.length === 0 ? (
            <Text size="sm">{t('dashboard.noCases')}</Text>
          ) : (
            <Table verticalSpacing={6}>
              <Table.Caption>{t('dashboard.byStatusCaption')}</Table.Caption>
              <Table.Tbody>
                {statuses.map((s) => (
                  <Table.Tr key={s}>
                    <Table.Td>
                      <Anchor component={Link} to={`/console/rescues?view=cases&status=${s}`} size="sm">
                        <StatusBadge status={s} style={{ cursor: 'pointer' }} />
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right" fw={600}>
                      {d.byStatus[s]}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>

        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
          <Title order={2} size="h4" mb="sm">
            {t('dashboard.overdue')}
          </Title>
          {d.overdueLegs.length === 0 ? (
            <Text size="sm">{t('dashboard.overdueNone')}</Text>
          ) : (
            <List spacing={4} size="sm" data-testid="dash-overdue">
              {d.overdueLegs.map((o) => (
                <List.Item key={`${o.code}-${o.legPosition}`}>
                  <Anchor component={Link} to={caseLink(o.code)} ff="monospace">
                    {t('dashboard.overdueItem', {
                      code: o.code,
                      leg: o.legPosition,
                      due: date(o.checkInDueAt),
                    })}
                  </Anchor>
                </List.Item>
              ))}
            </List>
          )}
        </Paper>
      </SimpleGrid>

      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
        <Title order={2} size="h4" mb="sm">
          {t('dashboard.alerts')}
        </Title>
        {acknowledge.isError && <ErrorAlert error={acknowledge.error} />}
        {alerts.isError ? (
          <ErrorAlert error={alerts.error} />
        ) : alerts.isPending ? (
          <PageLoader />
        ) : alerts.data.alerts.length === 0 ? (
          <Text size="sm">{t('dashboard.alertsNone')}</Text>
        ) : (
          <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="alert-list">
            {alerts.data.alerts.map((a) => (
              <Group
                key={a.id}
                component="li"
                justify="space-between"
                wrap="wrap"
                gap="xs"
                data-testid="alert-row"
              >
                <Stack gap={0}>
                  <Text size="sm" fw={600}>
                    {t(`alertKind.${a.kind}`, { defaultValue: a.kind })}
                  </Text>
                  <Text size="sm">
                    <Anchor component={Link} to={caseLink(a.code)} ff="monospace">
                      {a.code}
                    </Anchor>
                    {a.legPosition ? ` · ${t('dashboard.alertLeg', { leg: a.legPosition })}` : ''} ·{' '}
                    {date(a.raisedAt)}
                  </Text>
                </Stack>
                <Button
                  size="xs"
                  variant="default"
                  loading={acknowledge.isPending && acknowledge.variables === a.id}
                  onClick={() => acknowledge.mutate(a.id)}
                  aria-label={t('dashboard.acknowledgeAlert', { code: a.code })}
                  data-testid="alert-acknowledge"
                >
                  {t('dashboard.acknowledge')}
                </Button>
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}
