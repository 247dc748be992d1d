import { useTranslation } from 'react-i18next';
import classes from '../shell.module.css';

export const MAIN_ID = 'main';

export function SkipLink() {
  const { t } = useTranslation();
  return (
    <a className={classes.skipLink} href={`#${MAIN_ID}`} data-testid="skip-link">
      {t('shell.skipToContent')}
    </a>
  );
}
