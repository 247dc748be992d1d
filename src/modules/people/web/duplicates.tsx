import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { PageLoader } from '../../../web/components/page-loader';
import { toast } from '../../../web/components/toast';
import { useDocumentTitle } from '../../../web/components/use-document-title';
import { BASE, type DuplicatePair, type Supporter, supporterKeys, supporterLink } from './supporters-api';
import { KindBadge, useCanWrite, useSupportersT } from './ui';

/**
 * Likely duplicates (same email, same name and postcode, or same phone), each pair with why it matched and
 * both records side by side. Detection only suggests: a person chooses which record stays and merges.
 * `?supporter=<id>` shows only the pairs of one supporter (the link from their page).
 */
export function DuplicatesView() {
  const { t } = useSupportersT();
  useDocumentTitle(t('duplicates.title'));
  const [params] = useSearchParams();
  const only = params.get('supporter') ?? '';
  const pairs = useQuery({
    queryKey: supporterKeys.duplicates(only),
    queryFn: () =>
      api.get<{ pairs: DuplicatePair[] }>(
        `/api/people/duplicates${only ? `?${new URLSearchParams({ supporterId: only })}` : ''}`,
      ),
  });
  const [merging, setMerging] = useState<DuplicatePair | null>(null);

  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Title order={2} size="h3">
          {t('duplicates.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('duplicates.intro')}
        </Text>
        {only && (
          <Anchor component={Link} to={`${BASE}/duplicates`} size="sm">
            {t('duplicates.showAll')}
          </Anchor>
        )}
      </Stack>
      {pairs.isPending ? (
        <PageLoader />
      ) : pairs.isError ? (
        <ErrorAlert error={pairs.error} />
      ) : pairs.data.pairs.length === 0 ? (
        <Text data-testid="duplicates-empty">{t('duplicates.none')}</Text>
      ) : (
        <Stack gap="md" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {pairs.data.pairs.map((pair) => (
            <PairCard key={pair.ids.join(':')} pair={pair} onMerge={() => setMerging(pair)} />
          ))}
        </Stack>
      )}
      {merging && <MergeDialog pair={merging} onClose={() => setMerging(null)} />}
    </Stack>
  );
}

function PairCard({ pair, onMerge }: { pair: DuplicatePair; onMerge: () => void }) {
  const { t } = useSupportersT();
  const canWrite = useCanWrite();
  return (
    <Paper
      component="li"
      withBorder
      radius="md"
      p={{ base: 'sm', sm: 'md' }}
      data-testid="duplicate-pair"
      data-ids={pair.ids.join(' ')}
    >
      <Stack gap="sm">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" aria-label={t('duplicates.why')}>
            {pair.reasons.map((r) => (
              <Badge key={r} variant="dot" c="gray.9" color="yellow" data-testid="duplicate-reason">
                {t(`reason.${r}`)}
              </Badge>
            ))}
          </Group>
          {canWrite && (
            <Button size="compact-sm" onClick={onMerge} data-testid="duplicate-merge">
              {t('merge.open')}
            </Button>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {pair.supporters.map((s) => (
            <SupporterCard key={s.id} supporter={s} />
          ))}
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

function SupporterCard({ supporter }: { supporter: Supporter }) {
  const { t } = useSupportersT();
  const date = useDateFormat();
  return (
    <Stack gap={2}>
      <Anchor component={Link} to={supporterLink(supporter.id)} fw={600}>
        {supporter.displayName}
      </Anchor>
      <KindBadge supporter={supporter} />
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {supporter.email ?? t('duplicates.noEmail')}
      </Text>
      <Text size="sm">{[supporter.phone, supporter.postcode].filter(Boolean).join(' · ') || '—'}</Text>
      <Text size="xs" c="dimmed">
        {t('page.since', { date: date(supporter.createdAt) })}
      </Text>
    </Stack>
  );
}

/**
 * Choose the record that stays; the other is merged into it (its tags, notes, consent and gifts move, its
 * missing details fill the survivor's empty ones, and it remains only as a pointer). Then the result.
 */
function MergeDialog({ pair, onClose }: { pair: DuplicatePair; onClose: () => void }) {
  const { t } = useSupportersT();
  const { t: shell } = useTranslation();
  const queryClient = useQueryClient();
  const [first, second] = pair.supporters;
  // The older record usually has the history: offer it as the one that stays.
  const older = first && second && second.createdAt < first.createdAt ? second : first;
  const [survivorId, setSurvivorId] = useState(older?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ survivor: Supporter; merged: Supporter } | null>(null);
  if (!first || !second) return null;
  const survivor = survivorId === first.id ? first : second;
  const duplicate = survivor === first ? second : first;

  async function merge() {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/people/${encodeURIComponent(duplicate.id)}/merge`, { survivorId: survivor.id });
      await queryClient.invalidateQueries({ queryKey: supporterKeys.all });
      toast(t('merge.done', { name: survivor.displayName }));
      setDone({ survivor, merged: duplicate });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={done ? t('merge.doneTitle') : t('merge.title')}
      closeButtonProps={{ 'aria-label': shell('shell.close') }}
      size="lg"
    >
      {done ? (
        <Stack gap="md" data-testid="merge-result">
          <Alert color="green" variant="light" role="status">
            {t('merge.result', { merged: done.merged.displayName, survivor: done.survivor.displayName })}
          </Alert>
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('merge.close')}
            </Button>
            <Button component={Link} to={supporterLink(done.survivor.id)} data-testid="merge-open-survivor">
              {t('merge.openSurvivor', { name: done.survivor.displayName })}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="md">
          {error ? <ErrorAlert error={error} /> : null}
          <Radio.Group label={t('merge.keep')} value={survivorId} onChange={setSurvivorId}>
            <Stack gap="sm" mt="xs">
              {pair.supporters.map((s) => (
                <Radio
                  key={s.id}
                  value={s.id}
                  data-testid="merge-survivor"
                  data-id={s.id}
                  label={`${s.displayName}${s.email ? ` · ${s.email}` : ''}${s.postcode ? ` · ${s.postcode}` : ''}`}
                />
              ))}
            </Stack>
          </Radio.Group>
          <Stack gap={4}>
            <Text size="sm" fw={600} data-testid="merge-summary">
              {t('merge.summary', { merged: duplicate.displayName, survivor: survivor.displayName })}
            </Text>
            <List size="sm" spacing={2}>
              <List.Item>{t('merge.moves')}</List.Item>
              <List.Item>{t('merge.fills')}</List.Item>
              <List.Item>{t('merge.stays')}</List.Item>
              <List.Item>{t('merge.audited')}</List.Item>
            </List>
          </Stack>
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button color="red.8" loading={busy} onClick={merge} data-testid="merge-confirm">
              {t('merge.confirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
