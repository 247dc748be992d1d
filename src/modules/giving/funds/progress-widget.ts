import type { CampaignProgress } from '../donations/donate.service';
import { formatMoney, type GivingCurrency } from '../money';

/*
 * The embeddable progress widget: a tiny page that other sites put in an <iframe>. Rendered here as plain
 * HTML (no framework, no script), its CSS in one <style> element carrying the request's CSP nonce. The
 * "Give" link opens the donate page in a new tab: the donate page itself refuses to be framed.
 */

export type WidgetLanguage = 'en' | 'ko';

const TEXT = {
  en: {
    label: 'Campaign progress',
    units: (funded: string, goal: string) => `${funded} of ${goal} rescues funded`,
    money: (raised: string, goal: string) => `${raised} raised of ${goal}`,
    give: 'Give',
    newTab: '(opens in a new tab)',
    missing: 'This campaign is not available.',
  },
  ko: {
    label: '캠페인 진행 상황',
    units: (funded: string, goal: string) => `구출 ${goal}건 중 ${funded}건 후원 완료`,
    money: (raised: string, goal: string) => `목표 ${goal} 중 ${raised} 모금`,
    give: '후원하기',
    newTab: '(새 탭에서 열림)',
    missing: '이 캠페인을 찾을 수 없습니다.',
  },
} as const;

/** The language of the widget: `?lang=` when the embedding site sets it, else the visitor's browser. */
export function widgetLanguage(lang: string | undefined, acceptLanguage: string | undefined): WidgetLanguage {
  if (lang === 'en' || lang === 'ko') return lang;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const base = part.trim().toLowerCase().slice(0, 2);
    if (base === 'ko' || base === 'en') return base;
  }
  return 'en';
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Whole percent of the goal reached, 0–100 (integer arithmetic: amounts stay far below 2^53 / 100). */
export function percentOfGoal(progress: CampaignProgress): number {
  const goal =
    progress.goalKind === 'units'
      ? (progress.goalUnits ?? 0) * (progress.unitMinor ?? 0)
      : (progress.goalMinor ?? 0);
  if (goal <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((progress.raisedMinor * 100) / goal)));
}

/** "37 of 100 rescues funded" or "$74,200.00 raised of $200,000.00", in the widget's language. */
export function progressSentence(progress: CampaignProgress, language: WidgetLanguage): string {
  const text = TEXT[language];
  const locale = language === 'ko' ? 'ko-KR' : 'en-US';
  if (progress.goalKind === 'units') {
    const n = new Intl.NumberFormat(locale);
    return text.units(n.format(progress.unitsFunded ?? 0), n.format(progress.goalUnits ?? 0));
  }
  const currency = progress.currency as GivingCurrency;
  return text.money(
    formatMoney(progress.raisedMinor, currency, language),
    formatMoney(progress.goalMinor ?? 0, currency, language),
  );
}

export interface WidgetPage {
  progress: CampaignProgress;
  language: WidgetLanguage;
  /** The organisation's public address: the "Give" link points there, whatever site frames the widget. */
  publicUrl: string;
  styleNonce: string;
}

export function renderProgressWidget({ progress, language, publicUrl, styleNonce }: WidgetPage): string {
  const text = TEXT[language];
  const percent = percentOfGoal(progress);
  const sentence = progressSentence(progress, language);
  const give = `${publicUrl}/give?campaign=${encodeURIComponent(progress.code)}`;
  const name = escapeHtml(progress.name);
  const body = `<h1 data-testid="widget-name">${name}</h1>
<div class="bar" role="progressbar" aria-label="${escapeHtml(text.label)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}" aria-valuetext="${escapeHtml(sentence)}"><span></span></div>
<p data-testid="widget-progress">${escapeHtml(sentence)}</p>
<a href="${escapeHtml(give)}" target="_blank" rel="noopener" data-testid="widget-give">${escapeHtml(text.give)}<span class="vh"> ${escapeHtml(text.newTab)}</span></a>`;
  return widgetDocument(language, name, styleNonce, `.bar span{width:${percent}%}`, body);
}

/** What a frame shows for a campaign code that does not exist (a typo in the embedding site's snippet). */
export function renderMissingWidget(language: WidgetLanguage, styleNonce: string): string {
  const text = escapeHtml(TEXT[language].missing);
  return widgetDocument(language, text, styleNonce, '', `<p data-testid="widget-missing">${text}</p>`);
}

function widgetDocument(
  language: WidgetLanguage,
  title: string,
  styleNonce: string,
  extraCss: string,
  body: string,
): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style nonce="${escapeHtml(styleNonce)}">
*{box-sizing:border-box}
html,body{margin:0;background:#fff;color:#1a1b1e;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans KR",sans-serif}
main{padding:12px 14px;max-width:480px}
h1{font-size:17px;margin:0 0 8px}
.bar{height:12px;border-radius:6px;background:#dde3ea;overflow:hidden}
.bar span{display:block;height:100%;background:#1c4e80}
p{margin:8px 0 12px}
a{display:inline-block;padding:8px 18px;border-radius:6px;background:#1c4e80;color:#fff;font-weight:600;text-decoration:none}
a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
${extraCss}
</style>
</head>
<body>
<main data-testid="widget">
${body}
</main>
</body>
</html>
`;
}
