import { Anchor, Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useStepUp } from '../security/step-up';

/**
 * "Download CSV" for a list: a plain link to the list's own route with `format=csv` and the page's
 * current filters. The browser downloads it with the session cookie (the server names the file and
 * decides who may have it); a link, not a fetch, so a long export streams straight to disk.
 *
 * A file that names people (supporters, donors, sponsors) needs a step-up within the window: the server
 * answers `403 step_up_required` otherwise. Pass `stepUp` and the button asks first (the console's one
 * step-up dialog, as for a rescue's names), then starts the download.
 */
export function CsvDownload({
  href,
  label,
  testId,
  stepUp = false,
}: {
  href: string;
  label: string;
  testId: string;
  stepUp?: boolean;
}) {
  if (stepUp) return <StepUpCsvButton href={href} label={label} testId={testId} />;
  return (
    <Button component="a" href={href} download variant="default" size="sm" data-testid={testId}>
      {label}
    </Button>
  );
}

function StepUpCsvButton({ href, label, testId }: { href: string; label: string; testId: string }) {
  const download = useStepUpDownload();
  return (
    <Button variant="default" size="sm" data-testid={testId} onClick={() => void download(href)}>
      {label}
    </Button>
  );
}

/** A text link to a file of people, behind the step-up (the reports' "CSV" links). */
export function StepUpCsvAnchor({ href, label, testId }: { href: string; label: string; testId: string }) {
  const download = useStepUpDownload();
  return (
    <Anchor
      component="button"
      type="button"
      size="sm"
      data-testid={testId}
      onClick={() => void download(href)}
    >
      {label}
    </Anchor>
  );
}

/**
 * Asks for a step-up unless the session is inside the window, then downloads `href` as a link would
 * (the session cookie goes with it; nothing of the file passes through the page's memory).
 */
export function useStepUpDownload(): (href: string) => Promise<void> {
  const stepUp = useStepUp();
  const { t } = useTranslation();
  return async (href: string) => {
    if (!(await stepUp({ reason: t('stepUp.exportReason') }))) return;
    const a = document.createElement('a');
    a.href = href;
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
  };
}

/** The list route's address as a CSV download: `path?…filters&format=csv`, empty filters left out. */
export function csvHref(path: string, filters: Record<string, string | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  q.set('format', 'csv');
  return `${path}?${q}`;
}
