import { describe, expect, it } from 'vitest';
import { CONSENT_CHANNELS, CONSENT_METHODS, ORGANISATION_TYPES, SUPPORTER_KINDS } from '../people.schema';
import en from './i18n/en.json';
import {
  CONSENT_CHANNEL_LIST,
  ORGANISATION_TYPE_LIST,
  STAFF_CONSENT_METHODS,
  SUPPORTER_KIND_LIST,
} from './supporters-api';

describe('the supporters pages’ copies of the server’s lists', () => {
  it('match people.schema.ts', () => {
    expect(SUPPORTER_KIND_LIST).toEqual(SUPPORTER_KINDS);
    expect(ORGANISATION_TYPE_LIST).toEqual(ORGANISATION_TYPES);
    expect(CONSENT_CHANNEL_LIST).toEqual(CONSENT_CHANNELS);
    for (const method of STAFF_CONSENT_METHODS) expect(CONSENT_METHODS).toContain(method);
  });

  it('name every consent method the server knows, in words', () => {
    expect(Object.keys(en.method).sort()).toEqual([...CONSENT_METHODS].sort());
  });
});
