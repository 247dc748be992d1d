import { defineNamespace } from '../../../../../web/i18n/define-namespace';
import en from './en.json';
import ko from './ko.json';

/** The strings of the giving reports page, under the `giving-reports` namespace; the shell carries only `nav` (the module's web manifest). */
export const givingReportsNamespace = defineNamespace('giving-reports', { en, ko });
