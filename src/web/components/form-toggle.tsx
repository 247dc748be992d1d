import { Button, Collapse, Group } from '@mantine/core';
import { type ReactNode, useState } from 'react';

/**
 * A button that opens a form below it ("Open a batch", "Record a cost") and closes it again; the form gets
 * `close` for when it is done. The form is mounted only while open, so it starts empty each time.
 */
export function FormToggle({
  label,
  testId,
  emphasis,
  children,
}: {
  label: string;
  testId: string;
  /** Filled while closed: the section's main action. Otherwise a plain button on a line of its own. */
  emphasis?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const button = (
    <Button
      variant={emphasis && !open ? 'filled' : 'default'}
      onClick={() => setOpen((o) => !o)}
      aria-expanded={open}
      data-testid={testId}
    >
      {label}
    </Button>
  );
  return (
    <>
      {emphasis ? button : <Group>{button}</Group>}
      <Collapse expanded={open}>{open && children(() => setOpen(false))}</Collapse>
    </>
  );
}
