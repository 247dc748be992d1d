import { notifications } from '@mantine/notifications';
import i18next from 'i18next';

/** A short notice in the corner ("Gift recorded"); its close button is named in the reader's language. */
export function toast(message: string, color = 'passage'): void {
  notifications.show({ color, message, closeButtonProps: { 'aria-label': i18next.t('shell.close') } });
}
