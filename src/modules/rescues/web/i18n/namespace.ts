import { defineNamespace } from '../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the rescues pages and the field page, under the `rescues` namespace; the shell carries only `nav` (the module's web manifest). */
export const rescuesNamespace = defineNamespace('rescues', { en, ko });
