import { Anchor, Box, Button, Group, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { useMoney } from '../../../web/components/money';
import { PageLoader } from '../../../web/components/page-loader';
import { Section } from '../../../web/components/section';
import {
  giftLink,
  supporterKeys,
  supporterPath,
  type TimelineEvent,
  type TimelinePage,
} from './supporters-api';
import { useSupportersT } from './ui';

const PAGE = 25;
const GIFT_KINDS = new Set(['gift.settled', 'gift.failed', 'gift.refunded', 'receipt.issued']);

/** The sentence for one event, from its kind and plain facts (unknown kinds from a newer module still read). */
function describe(
  event: TimelineEvent,
  t: TFunction,
  money: (minor: number, currency: string) => string,
): string {
  const f = event.facts;
  const amount =
    typeof f.amountMinor === 'number' && typeof f.currency === 'string'
      ? money(f.amountMinor, f.currency)
      : '';
  const channel = typeof f.channel === 'string' ? t(`channel.${f.channel}`) : '';
  const method = typeof f.method === 'string' ? t(`method.${f.method}`, { defaultValue: f.method }) : '';
  const by =
    f.by === 'donor'
      ? t('timeline.byDonor')
      : f.by === 'dunning'
        ? t('timeline.byDunning')
        : t('timeline.byStaff');
  switch (event.kind) {
    case 'supporter.created':
      return t('timeline.created', { kind: t(`kind.${String(f.kind)}`, { defaultValue: String(f.kind) }) });
    case 'consent.granted':
      return t('timeline.consentGranted', { channel, method });
    case 'consent.withdrawn':
      return t('timeline.consentWithdrawn', { channel, method });
    case 'tag.added':
      return t('timeline.tagAdded', { tag: String(f.tag) });
    case 'tag.removed':
      return t('timeline.tagRemoved');
    case 'details.changed':
      return t('timeline.detailsChanged');
    case 'note.added':
      return t('timeline.noteAdded');
    case 'supporter.merged':
      return t('timeline.merged', { name: String(f.displayName), email: f.email ? ` (${f.email})` : '' });
    case 'gift.settled':
      return t(f.monthly ? 'timeline.monthlyGiftSettled' : 'timeline.giftSettled', {
        amount,
        fund: String(f.fund),
        method: t(`giftMethod.${String(f.method)}`, { defaultValue: String(f.method) }),
      });
    case 'gift.failed':
      return t('timeline.giftFailed', { amount });
    case 'gift.refunded':
      return t('timeline.giftRefunded', { amount });
    case 'receipt.issued':
      return t('timeline.receiptIssued', { number: String(f.number), amount });
    case 'monthly_gift.started':
      return t('timeline.monthlyStarted', { amount, day: f.dayOfMonth });
    case 'monthly_gift.paused':
      return t('timeline.monthlyPaused', { by });
    case 'monthly_gift.resumed':
      return t('timeline.monthlyResumed', { by });
    case 'monthly_gift.amount_changed':
      return t('timeline.monthlyAmountChanged', { by });
    case 'monthly_gift.cancelled':
      return t('timeline.monthlyCancelled', { amount, by });
    case 'monthly_gift.lapsed':
      return t('timeline.monthlyLapsed', { amount });
    case 'statement.issued':
      return t('timeline.statementIssued', { year: f.year });
    case 'donor_update.sent':
      return t('timeline.donorUpdate', { count: Number(f.rescues), period: String(f.period) });
    case 'pledge.made':
      return t('timeline.pledgeMade', { name: String(f.name) });
    default:
      return t('timeline.other', { kind: event.kind });
  }
}

/** Everything the supporter did, newest first, from every module; older pages on request. */
export function TimelineSection({ id }: { id: string }) {
  const { t } = useSupportersT();
  const date = useDateFormat();
  const money = useMoney();
  const timeline = useInfiniteQuery({
    queryKey: supporterKeys.timeline(id),
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (pageParam) q.set('cursor', pageParam);
      return api.get<TimelinePage>(`${supporterPath(id)}/timeline?${q}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const events = timeline.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <Section title={t('timeline.title')} testId="supporter-timeline" headingId="supporter-timeline-heading">
      {timeline.isPending ? (
        <PageLoader />
      ) : timeline.isError ? (
        <ErrorAlert error={timeline.error} />
      ) : (
        <Stack gap="sm">
          <Box
            component="ol"
            style={{ listStyle: 'none', padding: 0, margin: 0 }}
            data-testid="timeline-list"
          >
            {events.map((e) => (
              <Box
                component="li"
                key={e.key}
                py={6}
                style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}
                data-testid="timeline-event"
                data-kind={e.kind}
              >
                <Group gap="xs" wrap="wrap" align="baseline">
                  <Text size="xs" c="dimmed" component="time" dateTime={e.at} miw={130}>
                    {date(e.at)}
                  </Text>
                  <Text size="sm" style={{ flex: 1, minWidth: 200, overflowWrap: 'anywhere' }}>
                    {GIFT_KINDS.has(e.kind) && e.refId ? (
                      <Anchor component={Link} to={giftLink(e.refId)}>
                        {describe(e, t, money)}
                      </Anchor>
                    ) : (
                      describe(e, t, money)
                    )}
                  </Text>
                </Group>
                {e.kind === 'note.added' && typeof e.facts.body === 'string' ? (
                  <Text
                    size="sm"
                    c="gray.8"
                    mt={2}
                    ml={{ base: 0, sm: 138 }}
                    style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
                    data-testid="timeline-note"
                  >
                    {e.facts.body}
                  </Text>
                ) : null}
              </Box>
            ))}
          </Box>
          {timeline.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => timeline.fetchNextPage()}
                loading={timeline.isFetchingNextPage}
                data-testid="timeline-more"
              >
                {t('timeline.more')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Section>
  );
}
