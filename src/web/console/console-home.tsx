import { Alert, Container } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { useDocumentTitle } from '../components/use-document-title';
import { visibleModules } from '../modules';
import { useSession } from '../session';

/**
 * /console opens the first page the account may use; an account with none is told so plainly. A field
 * partner's work is the small page of their legs, made for a phone: that is where they land.
 */
export function ConsoleHome() {
  const { t } = useTranslation();
  const session = useSession();
  const first = visibleModules(session.data?.role)[0];
  useDocumentTitle(t('console.title'));
  if (session.data?.role === 'field_partner') return <Navigate to="/field" replace />;
  if (first) return <Navigate to={`/console/${first.path}`} replace />;
  return (
    <Container size="sm" py="xl">
      <Alert color="passage" variant="light" role="status" title={t('console.nothingTitle')}>
        {t('console.nothingBody')}
      </Alert>
    </Container>
  );
}
