import { Link } from 'react-router';
import classes from '../shell.module.css';

export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg className={classes.brandMark} width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1c4e80" />
      <path
        d="M9 23V9h7.5a4.5 4.5 0 0 1 0 9H13"
        fill="none"
        stroke="#fff"
        strokeWidth="3"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** The product name as a link home; the accessible name is the visible word "Passage". */
export function Brand({ to }: { to: string }) {
  return (
    <Link to={to} className={classes.brand} data-testid="brand">
      <BrandMark />
      <span>Passage</span>
    </Link>
  );
}
