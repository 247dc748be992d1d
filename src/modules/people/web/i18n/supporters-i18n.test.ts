import { describe } from 'vitest';
import { itChecksNamespaceBundles } from '../../../../../test/harness/i18n-namespace';
import en from './en.json';
import ko from './ko.json';

describe('supporters translations', () => {
  itChecksNamespaceBundles({ en, ko, testFileUrl: import.meta.url });
});
