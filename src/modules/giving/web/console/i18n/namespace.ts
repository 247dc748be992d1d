import { defineNamespace } from '../../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the giving console pages, under the `giving` namespace; the shell carries only `nav` (the module's web manifest). */
export const givingNamespace = defineNamespace('giving', { en, ko });
