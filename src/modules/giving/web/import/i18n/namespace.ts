import { defineNamespace } from '../../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the giving import page, under the `giving-import` namespace; the shell carries only `nav` (the module's web manifest). */
export const givingImportNamespace = defineNamespace('giving-import', { en, ko });
