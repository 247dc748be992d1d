import { Button, CloseButton, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { forwardRef, useId, useState } from 'react';
import { api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { givingKeys, type SupporterHit } from './giving-api';
import { useGivingT } from './ui';

export interface PickedSupporter {
  id: string;
  displayName: string;
}

/**
 * Finds a supporter by name, email or postcode (GET /api/people?q=, people's own search) and picks one.
 * Shows only what tells two people apart: name, email, postcode.
 */
export const SupporterPicker = forwardRef<
  HTMLInputElement,
  {
    label: string;
    value: PickedSupporter | null;
    onChange: (next: PickedSupporter | null) => void;
    error?: string | null;
    testId: string;
    required?: boolean;
  }
>(function SupporterPicker({ label, value, onChange, error, testId, required }, ref) {
  const { t } = useGivingT();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 250);
  const resultsId = useId();
  const hits = useQuery({
    queryKey: givingKeys.supporters(q),
    queryFn: () =>
      api.get<{ supporters: SupporterHit[] }>(`/api/people?${new URLSearchParams({ q, limit: '8' })}`),
    enabled: !value && q.length >= 2,
    staleTime: 30_000,
  });

  if (value)
    return (
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Group gap="xs" wrap="nowrap" data-testid={`${testId}-picked`}>
          <Text size="sm" fw={600}>
            {value.displayName}
          </Text>
          <CloseButton
            size="sm"
            aria-label={t('picker.change', { name: value.displayName })}
            onClick={() => onChange(null)}
            data-testid={`${testId}-clear`}
          />
        </Group>
      </Stack>
    );

  const list = hits.data?.supporters ?? [];
  return (
    <Stack gap={4}>
      <TextInput
        ref={ref}
        label={label}
        required={required}
        description={t('picker.help')}
        value={text}
        error={error}
        onChange={(e) => setText(e.currentTarget.value)}
        aria-describedby={q.length >= 2 ? resultsId : undefined}
        autoComplete="off"
        data-testid={`${testId}-search`}
      />
      {q.length >= 2 && (
        <Paper withBorder p={4} radius="sm" id={resultsId} aria-live="polite">
          {hits.isError ? (
            <ErrorAlert error={hits.error} />
          ) : hits.isPending ? (
            <Text size="sm" p={4}>
              {t('picker.searching')}
            </Text>
          ) : list.length === 0 ? (
            <Text size="sm" p={4} data-testid={`${testId}-none`}>
              {t('picker.none')}
            </Text>
          ) : (
            <Stack gap={2}>
              {list.map((s) => (
                <Button
                  key={s.id}
                  variant="subtle"
                  justify="flex-start"
                  fullWidth
                  h="auto"
                  py={4}
                  onClick={() => {
                    onChange({ id: s.id, displayName: s.displayName });
                    setText('');
                  }}
                  data-testid={`${testId}-option`}
                >
                  <Text size="sm" ta="left" c="gray.9">
                    <Text span fw={600} inherit>
                      {s.displayName}
                    </Text>
                    {[s.email, s.postcode].filter(Boolean).length > 0 && (
                      <Text span c="gray.7" inherit>
                        {' '}
                        · {[s.email, s.postcode].filter(Boolean).join(' · ')}
                      </Text>
                    )}
                  </Text>
                </Button>
              ))}
            </Stack>
          )}
        </Paper>
      )}
    </Stack>
  );
});
