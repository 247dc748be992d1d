import { defineNamespace } from '../../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the pledges pages, under the `pledges` namespace; the shell carries only `nav` (the module's web manifest). */
export const pledgesNamespace = defineNamespace('pledges', { en, ko });
