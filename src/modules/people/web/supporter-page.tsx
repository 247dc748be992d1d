import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  List,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, fieldErrors, isApiError } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { PageLoader } from '../../../web/components/page-loader';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { useDocumentTitle } from '../../../web/components/use-document-title';
import { ConsentSection } from './consent-section';
import { GivingSection } from './giving-summary';
import { EditContactForm } from './supporter-form';
import { TimelineSection } from './supporter-timeline';
import {
  BASE,
  type DuplicatePair,
  type SupporterDetail,
  supporterKeys,
  supporterLink,
  supporterPath,
} from './supporters-api';
import { KindBadge, useCanWrite, useSupportersT } from './ui';

/** One supporter: who they are, how we may write to them, tags, notes, their giving and their timeline. */
export function SupporterPage() {
  const { id = '' } = useParams();
  const { t } = useSupportersT();
  const date = useDateFormat();
  const supporter = useQuery({
    queryKey: supporterKeys.one(id),
    queryFn: () => api.get<SupporterDetail>(supporterPath(id)),
    retry: (count, error) => !isApiError(error) && count < 2,
  });
  useDocumentTitle(supporter.data?.displayName ?? t('title'));

  if (supporter.isPending) return <PageLoader />;
  if (supporter.isError) {
    // A merged record answers 410 and names the survivor: send the reader there.
    const survivor = isApiError(supporter.error, 410)
      ? /merged into ([0-9a-f-]{36})/.exec(supporter.error.message)?.[1]
      : undefined;
    return survivor ? (
      <Alert
        color="passage"
        variant="light"
        role="alert"
        title={t('page.mergedTitle')}
        data-testid="supporter-merged"
      >
        <Anchor component={Link} to={supporterLink(survivor)}>
          {t('page.mergedLink')}
        </Anchor>
      </Alert>
    ) : (
      <ErrorAlert error={supporter.error} />
    );
  }
  const s = supporter.data;
  return (
    <Stack gap="md" data-testid="supporter-page" data-id={s.id}>
      <Stack gap={4}>
        <Title order={2} size="h3" data-testid="supporter-name">
          {s.displayName}
        </Title>
        <Group gap="xs">
          <KindBadge supporter={s} />
          <Text size="sm" c="dimmed">
            {t('page.since', { date: date(s.createdAt) })}
          </Text>
        </Group>
      </Stack>
      <DuplicateHint id={s.id} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="md">
            <ContactSection supporter={s} />
            <ConsentSection supporter={s} />
            <TagsSection supporter={s} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="md">
            <GivingSection id={s.id} />
            <NotesSection supporter={s} />
          </Stack>
        </Grid.Col>
      </Grid>
      <TimelineSection id={s.id} />
    </Stack>
  );
}

/** When this record looks like another, say so where it is seen, with the way to the merge. */
function DuplicateHint({ id }: { id: string }) {
  const { t } = useSupportersT();
  const pairs = useQuery({
    queryKey: supporterKeys.duplicates(id),
    queryFn: () =>
      api.get<{ pairs: DuplicatePair[] }>(
        `/api/people/duplicates?${new URLSearchParams({ supporterId: id })}`,
      ),
  });
  const count = pairs.data?.pairs.length ?? 0;
  if (count === 0) return null;
  return (
    <Alert
      color="passage"
      variant="light"
      title={t('page.duplicatesTitle', { count })}
      data-testid="supporter-duplicates-hint"
    >
      <Anchor component={Link} to={`${BASE}/duplicates?${new URLSearchParams({ supporter: id })}`}>
        {t('page.duplicatesLink')}
      </Anchor>
    </Alert>
  );
}

function ContactSection({ supporter }: { supporter: SupporterDetail }) {
  const { t } = useSupportersT();
  const canWrite = useCanWrite();
  const [editing, setEditing] = useState(false);
  const rows: [string, string | null][] = [
    [t('fields.email'), supporter.email],
    [t('fields.phone'), supporter.phone],
    [t('fields.postcode'), supporter.postcode],
  ];
  return (
    <Section
      title={t('contact.title')}
      testId="supporter-contact"
      headingId="supporter-contact-heading"
      action={
        canWrite && !editing ? (
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => setEditing(true)}
            data-testid="supporter-edit"
          >
            {t('contact.edit')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <EditContactForm supporter={supporter} onDone={() => setEditing(false)} />
      ) : (
        <Table variant="vertical" layout="fixed" withRowBorders={false}>
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th w={120}>{label}</Table.Th>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{value ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

function TagsSection({ supporter }: { supporter: SupporterDetail }) {
  const { t } = useSupportersT();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [tag, setTag] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const base = supporterPath(supporter.id);
  const refresh = () => queryClient.invalidateQueries({ queryKey: supporterKeys.all });

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!tag.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`${base}/tags`, { tag: tag.trim() });
      setTag('');
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  async function remove(name: string) {
    setError(null);
    try {
      await api.delete(`${base}/tags/${encodeURIComponent(name)}`);
      toast(t('tags.removed', { tag: name }));
      await refresh();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Section title={t('tags.title')} testId="supporter-tags" headingId="supporter-tags-heading">
      <Stack gap="sm">
        {supporter.tags.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('tags.none')}
          </Text>
        ) : (
          <Group gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {supporter.tags.map((name) => (
              <li key={name}>
                <Badge
                  variant="outline"
                  c="gray.9"
                  size="lg"
                  tt="none"
                  data-testid="supporter-tag"
                  rightSection={
                    canWrite ? (
                      <ActionIcon
                        size="xs"
                        variant="transparent"
                        c="gray.9"
                        aria-label={t('tags.remove', { tag: name })}
                        onClick={() => remove(name)}
                        data-testid={`supporter-tag-remove-${name}`}
                      >
                        ×
                      </ActionIcon>
                    ) : null
                  }
                >
                  {name}
                </Badge>
              </li>
            ))}
          </Group>
        )}
        {canWrite && (
          <form onSubmit={add} noValidate>
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                label={t('tags.new')}
                value={tag}
                onChange={(e) => setTag(e.currentTarget.value)}
                error={fieldErrors(error, ['tag']).tag}
                style={{ flex: 1 }}
                data-testid="supporter-tag-input"
              />
              <Button type="submit" variant="default" loading={busy} data-testid="supporter-tag-add">
                {t('tags.add')}
              </Button>
            </Group>
          </form>
        )}
        {error && !fieldErrors(error, ['tag']).tag ? <ErrorAlert error={error} /> : null}
      </Stack>
    </Section>
  );
}

function NotesSection({ supporter }: { supporter: SupporterDetail }) {
  const { t } = useSupportersT();
  const date = useDateFormat();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`${supporterPath(supporter.id)}/notes`, { body });
      // The note appears in the list below: that is the confirmation.
      setBody('');
      await queryClient.invalidateQueries({ queryKey: supporterKeys.all });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title={t('notes.title')} testId="supporter-notes" headingId="supporter-notes-heading">
      <Stack gap="sm">
        {canWrite && (
          <form onSubmit={add} noValidate>
            <Stack gap="xs">
              <Textarea
                label={t('notes.new')}
                value={body}
                onChange={(e) => setBody(e.currentTarget.value)}
                autosize
                minRows={2}
                maxLength={5000}
                error={fieldErrors(error, ['body']).body}
                data-testid="supporter-note-input"
              />
              <Group justify="flex-end">
                <Button type="submit" variant="default" loading={busy} data-testid="supporter-note-add">
                  {t('notes.add')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        {error && !fieldErrors(error, ['body']).body ? <ErrorAlert error={error} /> : null}
        {supporter.notes.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('notes.none')}
          </Text>
        ) : (
          <List listStyleType="none" spacing="sm" data-testid="supporter-note-list">
            {supporter.notes.map((n) => (
              <List.Item key={n.id} data-testid="supporter-note">
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {n.body}
                </Text>
                <Text size="xs" c="dimmed">
                  {date(n.createdAt)}
                </Text>
              </List.Item>
            ))}
          </List>
        )}
      </Stack>
    </Section>
  );
}
