import { Button } from '@mantine/core';

/**
 * "Download CSV" for a list: a plain link to the list's own route with `format=csv` and the page's
 * current filters. The browser downloads it with the session cookie (the server names the file and
 * decides who may have it); a link, not a fetch, so a long export streams straight to disk.
 */
export function CsvDownload({ href, label, testId }: { href: string; label: string; testId: string }) {
  return (
    <Button component="a" href={href} download variant="default" size="sm" data-testid={testId}>
      {label}
    </Button>
  );
}

/** The list route's address as a CSV download: `path?…filters&format=csv`, empty filters left out. */
export function csvHref(path: string, filters: Record<string, string | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  q.set('format', 'csv');
  return `${path}?${q}`;
}
