import { defineNamespace } from '../../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the donor portal, under the `portal` namespace; the shell carries only `nav` (the module's web manifest). */
export const portalNamespace = defineNamespace('portal', { en, ko });
