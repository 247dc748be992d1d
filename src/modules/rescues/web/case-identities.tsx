import {
  Alert,
  Badge,
  Button,
  FileButton,
  Group,
  Image,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { STEP_UP_WINDOW_MS, useStepUp } from '../../../web/security/step-up';
import { casePath, type RescueCase, type Revealed, rescueKeys } from './rescues-api';
import { useRescuesT } from './ui';

const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** Fetches a photo as an in-memory object URL (the server answers no-store; nothing reaches a disk cache). */
async function fetchPhoto(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiError(response.status, body.error ?? 'internal', body.message ?? '');
  }
  return URL.createObjectURL(await response.blob());
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * The S4 panel. Identities are fetched only on request after a step-up, held in this component's state
 * (never the query cache, storage or the URL), and dropped on "Hide", after the step-up window, and when
 * the page is left.
 */
export function CaseIdentities({ rescue, canWrite }: { rescue: RescueCase; canWrite: boolean }) {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const stepUp = useStepUp();
  const queryClient = useQueryClient();
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [photos, setPhotos] = useState<Record<number, string>>({});
  const photoUrls = useRef<string[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reason = t('case.revealReason', { code: rescue.code });
  const shredded = rescue.retention.shreddedAt !== null;

  const forget = useCallback(() => {
    setRevealed(null);
    setPhotos({});
    for (const u of photoUrls.current) URL.revokeObjectURL(u);
    photoUrls.current = [];
  }, []);

  // Leaving the page forgets everything that was opened.
  useEffect(() => forget, [forget]);
  // Opened identities close by themselves when the step-up window would have run out.
  useEffect(() => {
    if (!revealed) return;
    const timer = setTimeout(forget, STEP_UP_WINDOW_MS);
    return () => clearTimeout(timer);
  }, [revealed, forget]);

  /** Runs an S4 read behind a step-up; asks again once if the server says the window ran out. */
  const withStepUp = async <T,>(key: string, read: () => Promise<T>): Promise<T | null> => {
    setError(null);
    if (!(await stepUp({ reason }))) return null;
    setBusy(key);
    try {
      try {
        return await read();
      } catch (e) {
        if (!(e instanceof ApiError && e.id === 'step_up_required')) throw e;
        setBusy(null);
        if (!(await stepUp({ reason, force: true }))) return null;
        setBusy(key);
        return await read();
      }
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(null);
    }
  };

  const reveal = async () => {
    const data = await withStepUp('reveal', () => api.post<Revealed>(`${casePath(rescue.code)}/reveal`));
    if (data) setRevealed(data);
  };

  const showPhoto = async (position: number) => {
    const url = await withStepUp(`photo-${position}`, () =>
      fetchPhoto(`${casePath(rescue.code)}/travellers/${position}/photo`),
    );
    if (!url) return;
    photoUrls.current.push(url);
    setPhotos((p) => ({ ...p, [position]: url }));
  };

  const upload = async (position: number, file: File | null) => {
    if (!file) return;
    setError(null);
    if (file.size > PHOTO_MAX_BYTES) {
      setError(new ApiError(400, 'validation_failed', t('case.photoTooLarge')));
      return;
    }
    setBusy(`upload-${position}`);
    try {
      await api.put(`${casePath(rescue.code)}/travellers/${position}/photo`, {
        dataBase64: await readBase64(file),
      });
      toast(t('case.photoUploaded'));
      if (photos[position]) {
        URL.revokeObjectURL(photos[position]);
        setPhotos(({ [position]: _gone, ...rest }) => rest);
      }
      await queryClient.invalidateQueries({ queryKey: rescueKeys.case(rescue.code) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const hide = () => {
    forget();
    toast(t('case.hidden'));
  };

  const legNumber = (legId: string) => rescue.legs.find((l) => l.id === legId)?.position ?? '?';
  const incidentOf = (id: string) => rescue.incidents.find((i) => i.id === id);

  return (
    <Section title={t('case.identities')} testId="case-identities">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Text size="sm" maw={640}>
            {t('case.identitiesIntro')}
          </Text>
          {shredded ? null : revealed ? (
            <Button color="gray.8" onClick={hide} data-testid="identities-hide">
              {t('case.hide')}
            </Button>
          ) : (
            <Button
              color="red.8"
              onClick={reveal}
              loading={busy === 'reveal'}
              data-testid="identities-reveal"
            >
              {t('case.reveal')}
            </Button>
          )}
        </Group>
        {shredded && (
          <Alert color="gray" variant="light" role="status">
            {t('case.shredded')}
          </Alert>
        )}
        {error ? <ErrorAlert error={error} /> : null}

        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {rescue.travellers.map((tr) => {
            const who = revealed?.travellers.find((r) => r.position === tr.position);
            const photo = photos[tr.position];
            return (
              <Paper
                key={tr.position}
                withBorder
                radius="sm"
                p="sm"
                data-testid="identity-card"
                style={who ? { borderColor: 'var(--mantine-color-red-4)' } : undefined}
              >
                <Stack gap={6}>
                  <Group justify="space-between" gap="xs">
                    <Title order={3} size="h5">
                      {t('open.traveller', { n: tr.position })}
                    </Title>
                    {who && (
                      <Badge color="red.9" variant="filled" size="sm">
                        {t('common.sensitive')}
                      </Badge>
                    )}
                  </Group>
                  {who ? (
                    <dl style={{ margin: 0 }} data-testid="identity-fields">
                      {(
                        [
                          ['name', who.name],
                          ['currentRegion', who.currentRegion],
                          ['familyInNorthKorea', who.familyInNorthKorea],
                          ['contactMethod', who.contactMethod],
                          ['healthNotes', who.healthNotes],
                        ] as const
                      ).map(([field, value]) => (
                        <div key={field} style={{ marginBottom: 6 }}>
                          <Text component="dt" size="xs" c="dimmed">
                            {t(`open.${field}`)}
                          </Text>
                          <Text
                            component="dd"
                            m={0}
                            size="sm"
                            fw={field === 'name' ? 700 : 400}
                            style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
                            data-testid={`identity-${field}`}
                          >
                            {value ?? t('case.notRecorded')}
                          </Text>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                  {photo && (
                    <Image
                      src={photo}
                      alt={t('case.photoOf', { n: tr.position })}
                      maw={240}
                      radius="sm"
                      data-testid="identity-photo"
                    />
                  )}
                  <Group gap="xs" wrap="wrap">
                    {who && tr.hasPhoto && !photo && (
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => showPhoto(tr.position)}
                        loading={busy === `photo-${tr.position}`}
                        data-testid="identity-show-photo"
                      >
                        {t('case.showPhoto')}
                      </Button>
                    )}
                    {canWrite && !shredded && (
                      <FileButton
                        accept="image/jpeg,image/png,image/webp"
                        onChange={(f) => upload(tr.position, f)}
                      >
                        {(props) => (
                          <Button
                            {...props}
                            size="xs"
                            variant="default"
                            loading={busy === `upload-${tr.position}`}
                            aria-label={`${tr.hasPhoto ? t('case.replacePhoto') : t('case.uploadPhoto')} · ${t('open.traveller', { n: tr.position })}`}
                            data-testid="identity-upload-photo"
                          >
                            {tr.hasPhoto ? t('case.replacePhoto') : t('case.uploadPhoto')}
                          </Button>
                        )}
                      </FileButton>
                    )}
                  </Group>
                </Stack>
              </Paper>
            );
          })}
        </SimpleGrid>
        {canWrite && !shredded && (
          <Text size="xs" c="dimmed">
            {t('case.photoHelp')}
          </Text>
        )}

        {revealed && (
          <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm" data-testid="revealed-notes">
            <NoteList
              title={t('case.checkIns')}
              items={revealed.checkIns
                .filter((c) => c.note)
                .map((c) => ({
                  at: c.at,
                  label: `${t('case.checkInLeg', { n: legNumber(c.legId) })} · ${t(`field.actions.${c.kind}`)}`,
                  note: c.note,
                }))}
              date={date}
            />
            <NoteList
              title={t('case.incidentNotes')}
              items={revealed.incidents.flatMap((i) => {
                const inc = incidentOf(i.id);
                const label = inc ? t(`incidentKind.${inc.kind}`) : '';
                return [
                  ...(i.description ? [{ at: inc?.openedAt ?? '', label, note: i.description }] : []),
                  ...i.notes.map((n) => ({ at: n.at, label, note: n.note })),
                ];
              })}
              date={date}
            />
            <NoteList
              title={t('case.timelineNotes')}
              items={revealed.timelineNotes.map((n) => ({
                at: n.at,
                label: t(`timelineKind.${n.kind}`, { defaultValue: n.kind }),
                note: n.note,
              }))}
              date={date}
            />
          </SimpleGrid>
        )}
      </Stack>
    </Section>
  );
}

function NoteList({
  title,
  items,
  date,
}: {
  title: string;
  items: { at: string; label: string; note: string | null }[];
  date: (iso: string | null) => string;
}) {
  const { t } = useRescuesT();
  return (
    <Paper withBorder radius="sm" p="sm">
      <Title order={3} size="h5" mb={6}>
        {title}
      </Title>
      {items.length === 0 ? (
        <Text size="sm">{t('case.noNotes')}</Text>
      ) : (
        <Stack gap={6}>
          {items.map((n, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a read-only list
            <div key={i}>
              <Text size="xs" c="dimmed">
                {date(n.at)} · {n.label}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {n.note ?? t('case.notRecorded')}
              </Text>
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
