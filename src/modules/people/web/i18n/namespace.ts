import { defineNamespace } from '../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the supporters pages, under the `supporters` namespace; the shell carries only `nav` (the module's web manifest). */
export const supportersNamespace = defineNamespace('supporters', { en, ko });
