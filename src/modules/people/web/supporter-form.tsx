import { Button, Group, NativeSelect, Paper, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, fieldErrors } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { toast } from '../../../web/components/toast';
import { useDocumentTitle } from '../../../web/components/use-document-title';
import {
  ORGANISATION_TYPE_LIST,
  SUPPORTER_KIND_LIST,
  type Supporter,
  type SupporterKind,
  supporterKeys,
  supporterLink,
} from './supporters-api';
import { useSupportersT } from './ui';

const FIELDS = [
  'kind',
  'organisationType',
  'displayName',
  'firstName',
  'lastName',
  'email',
  'phone',
  'postcode',
];

type Contact = {
  displayName: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  postcode: string;
};

const blank: Contact = { displayName: '', firstName: '', lastName: '', email: '', phone: '', postcode: '' };

/** Name fields by kind: a person has first and last names; a household or organisation one name. */
function ContactFields({
  kind,
  value,
  onChange,
  errors,
}: {
  kind: SupporterKind;
  value: Contact;
  onChange: (next: Contact) => void;
  errors: Record<string, string>;
}) {
  const { t } = useSupportersT();
  const field = (name: keyof Contact, props: { label: string; type?: string; autoComplete?: string }) => (
    <TextInput
      {...props}
      value={value[name]}
      onChange={(e) => onChange({ ...value, [name]: e.currentTarget.value })}
      error={errors[name]}
      data-testid={`supporter-${name}`}
    />
  );
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      {kind === 'individual' ? (
        <>
          {field('firstName', { label: t('fields.firstName'), autoComplete: 'off' })}
          {field('lastName', { label: t('fields.lastName'), autoComplete: 'off' })}
        </>
      ) : (
        field('displayName', {
          label: kind === 'household' ? t('fields.householdName') : t('fields.organisationName'),
        })
      )}
      {field('email', { label: t('fields.email'), type: 'email', autoComplete: 'off' })}
      {field('phone', { label: t('fields.phone'), type: 'tel', autoComplete: 'off' })}
      {field('postcode', { label: t('fields.postcode'), autoComplete: 'off' })}
    </SimpleGrid>
  );
}

/** Add a supporter: an individual, a household, or an organisation of a kind (school, church, …). */
export function NewSupporterView() {
  const { t } = useSupportersT();
  useDocumentTitle(t('create.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SupporterKind>('individual');
  const [organisationType, setOrganisationType] = useState('');
  const [contact, setContact] = useState<Contact>(blank);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error, FIELDS);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const trimmed = Object.fromEntries(
      Object.entries(contact)
        .map(([k, v]) => [k, v.trim()])
        .filter(
          ([k, v]) =>
            v && (kind === 'individual' ? k !== 'displayName' : k !== 'firstName' && k !== 'lastName'),
        ),
    );
    try {
      const created = await api.post<Supporter>('/api/people', {
        kind,
        ...(kind === 'organisation' && organisationType ? { organisationType } : {}),
        ...trimmed,
      });
      await queryClient.invalidateQueries({ queryKey: supporterKeys.all });
      toast(t('create.done', { name: created.displayName }));
      navigate(supporterLink(created.id));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }} maw={720}>
      <form onSubmit={submit} noValidate data-testid="supporter-create-form" aria-label={t('create.title')}>
        <Stack gap="md">
          {error && Object.keys(errors).length === 0 ? <ErrorAlert error={error} /> : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <NativeSelect
              label={t('fields.kind')}
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as SupporterKind)}
              data={SUPPORTER_KIND_LIST.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
              error={errors.kind}
              data-testid="supporter-kind-select"
            />
            {kind === 'organisation' && (
              <NativeSelect
                label={t('fields.organisationType')}
                value={organisationType}
                onChange={(e) => setOrganisationType(e.currentTarget.value)}
                data={[
                  { value: '', label: t('create.chooseType') },
                  ...ORGANISATION_TYPE_LIST.map((o) => ({ value: o, label: t(`organisationType.${o}`) })),
                ]}
                error={errors.organisationType}
                required
                data-testid="supporter-organisation-type"
              />
            )}
          </SimpleGrid>
          <ContactFields kind={kind} value={contact} onChange={setContact} errors={errors} />
          <Group justify="flex-end">
            <Button type="submit" loading={busy} data-testid="supporter-create-submit">
              {t('create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** Change contact details: a field emptied is cleared on the server (`null`); unchanged ones are not sent. */
export function EditContactForm({ supporter, onDone }: { supporter: Supporter; onDone: () => void }) {
  const { t } = useSupportersT();
  const queryClient = useQueryClient();
  const initial: Contact = {
    displayName: supporter.displayName,
    firstName: supporter.firstName ?? '',
    lastName: supporter.lastName ?? '',
    email: supporter.email ?? '',
    phone: supporter.phone ?? '',
    postcode: supporter.postcode ?? '',
  };
  const [contact, setContact] = useState<Contact>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error, FIELDS);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const patch: Record<string, string | null> = {};
    for (const key of Object.keys(contact) as (keyof Contact)[]) {
      const next = contact[key].trim();
      if (next === initial[key]) continue;
      if (key === 'displayName' && supporter.kind === 'individual') continue;
      patch[key] = next === '' ? (key === 'displayName' ? '' : null) : next;
    }
    if (Object.keys(patch).length === 0) return onDone();
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/people/${encodeURIComponent(supporter.id)}`, patch);
      await queryClient.invalidateQueries({ queryKey: supporterKeys.all });
      toast(t('contact.saved'));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="supporter-edit-form" aria-label={t('contact.edit')}>
      <Stack gap="md">
        {error && Object.keys(errors).length === 0 ? <ErrorAlert error={error} /> : null}
        <ContactFields kind={supporter.kind} value={contact} onChange={setContact} errors={errors} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={busy} data-testid="supporter-edit-submit">
            {t('contact.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
