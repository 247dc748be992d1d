import { useTranslation } from 'react-i18next';

/**
 * Dates and times in the reader's own time zone and language, always with the zone's offset ("GMT+9"), so a
 * coordinator in Seoul and a partner in Yunnan read the same moment. `timeZone` shows the time in another
 * zone instead (an IANA name such as `Asia/Shanghai`: a leg's window in the zone of its place).
 */
export function useDateFormat(style: 'medium' | 'long' = 'medium', options: { timeZone?: string } = {}) {
  const { i18n } = useTranslation();
  const format = dateTimeFormat(i18n.language, style, options.timeZone);
  return (iso: string | null | undefined) => (iso ? format.format(new Date(iso)) : '—');
}

/** The formatter behind `useDateFormat`, for code outside React (a zone the runtime does not know falls back to the reader's). */
export function dateTimeFormat(language: string, style: 'medium' | 'long' = 'medium', timeZone?: string) {
  const base: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: style === 'long' ? 'long' : 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(style === 'long' ? { second: '2-digit' } : {}),
    timeZoneName: 'shortOffset',
  };
  try {
    return new Intl.DateTimeFormat(language, { ...base, ...(timeZone ? { timeZone } : {}) });
  } catch {
    return new Intl.DateTimeFormat(language, base);
  }
}

/** "Chrome on Linux" from a User-Agent header: enough to recognise one's own devices. */
export function describeUserAgent(ua: string | null): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : null;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iOS/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return `${browser} · ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}
