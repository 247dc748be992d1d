import { type CSSVariablesResolver, createTheme, type MantineColorsTuple, Notification } from '@mantine/core';

/** A deep, calm blue; shade 7 on white is 6.9:1, so filled buttons and links pass WCAG AA. */
const passage: MantineColorsTuple = [
  '#eaf2fb',
  '#d4e3f5',
  '#a8c6eb',
  '#79a7e0',
  '#528dd6',
  '#3a7cd0',
  '#2d6fc0',
  '#1f5aa3',
  '#1c4e80',
  '#133a61',
];

const systemFonts =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Apple SD Gothic Neo', " +
  "'Malgun Gothic', 'Noto Sans KR', 'Noto Sans CJK KR', sans-serif";

export const theme = createTheme({
  primaryColor: 'passage',
  primaryShade: { light: 7, dark: 4 },
  colors: { passage },
  fontFamily: systemFonts,
  headings: { fontFamily: systemFonts, fontWeight: '700' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    // The description under a notification title is gray 6 by default (3.3:1 on white).
    Notification: Notification.extend({
      styles: { description: { color: 'var(--mantine-color-gray-7)' } },
    }),
  },
});

/**
 * Mantine's default "dimmed" grey is 3.3:1 on white and its error red 3.3:1 as well; gray 7 and red 9
 * keep secondary text and field errors readable (WCAG AA, 4.5:1).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});
