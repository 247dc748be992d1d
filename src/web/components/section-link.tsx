import { Button } from '@mantine/core';
import { NavLink } from 'react-router';

/** One link of a page's own section navigation, drawn as a button that is filled while its section is open. */
export function SectionLink({
  to,
  label,
  end,
  testId,
}: {
  to: string;
  label: string;
  end?: boolean;
  testId: string;
}) {
  return (
    <NavLink to={to} end={end} style={{ textDecoration: 'none' }} data-testid={testId}>
      {({ isActive }) => (
        <Button component="span" size="compact-md" variant={isActive ? 'filled' : 'default'}>
          {label}
        </Button>
      )}
    </NavLink>
  );
}
