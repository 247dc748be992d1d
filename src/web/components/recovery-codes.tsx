import { Button, Checkbox, Code, CopyButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import classes from '../shell.module.css';

/** Offers the codes as a plain text file; nothing is kept in the browser's storage. */
function download(codes: string[], heading: string) {
  const text = `${heading}\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'passage-recovery-codes.txt';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Recovery codes, shown once: copy, download as a text file, or print (only this block prints).
 * `onDone` is offered only after the person confirms they kept them.
 */
export function RecoveryCodes({
  codes,
  onDone,
  doneLabel,
  busy,
}: {
  codes: string[];
  onDone: () => void;
  doneLabel?: string;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  return (
    <Stack gap="md" data-testid="recovery-codes">
      <div className={classes.printArea}>
        <Text size="sm" fw={600} className={classes.printOnly}>
          {t('recovery.printHeading')}
        </Text>
        <SimpleGrid
          cols={{ base: 1, xs: 2 }}
          spacing="xs"
          component="ul"
          m={0}
          p={0}
          aria-label={t('recovery.listLabel')}
          data-testid="backup-codes"
        >
          {codes.map((c) => (
            <Code key={c} component="li" fz="sm" p="xs" className={classes.codeItem}>
              {c}
            </Code>
          ))}
        </SimpleGrid>
      </div>
      <Group gap="xs" className={classes.noPrint}>
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button variant="default" size="sm" onClick={copy} data-testid="recovery-copy">
              {copied ? t('recovery.copied') : t('recovery.copy')}
            </Button>
          )}
        </CopyButton>
        <Button
          variant="default"
          size="sm"
          onClick={() => download(codes, t('recovery.printHeading'))}
          data-testid="recovery-download"
        >
          {t('recovery.download')}
        </Button>
        <Button variant="default" size="sm" onClick={() => window.print()} data-testid="recovery-print">
          {t('recovery.print')}
        </Button>
      </Group>
      <Checkbox
        className={classes.noPrint}
        checked={saved}
        onChange={(e) => setSaved(e.currentTarget.checked)}
        label={t('recovery.saved')}
        data-testid="recovery-saved"
      />
      <Group className={classes.noPrint}>
        <Button disabled={!saved} loading={busy} onClick={onDone} data-testid="enrol-finish">
          {doneLabel ?? t('recovery.continue')}
        </Button>
      </Group>
    </Stack>
  );
}
