/*
 * The donate page's own words, in English and Korean. No i18next here: the page must stay light on a
 * phone, and it has a few dozen strings. `{name}` placeholders are filled by `t`.
 */

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The shell's key: a language chosen anywhere in Passage holds here too (only the code is stored). */
export const LANGUAGE_STORAGE_KEY = 'passage.language';

const en = {
  title: 'Give to the rescue',
  skipToContent: 'Skip to the form',
  lead: 'Your gift moves people along the route to safety. Every amount helps.',
  otherLanguage: '한국어',
  otherLanguageLabel: '한국어로 보기',
  cancelled: 'You left the payment page. Nothing was charged; you can try again below.',
  loadFailed: 'The donate page could not load its choices. Check your connection and reload the page.',
  unavailable: 'Online giving is not available right now. Please try again later.',
  campaignClosed: 'The campaign in your link is not open for gifts. You can still give below.',

  frequency: 'How often',
  once: 'Once',
  monthly: 'Monthly',
  amount: 'Amount',
  currency: 'Currency',
  otherAmount: 'Other amount',
  otherAmountHint: 'In {currency}, for example {example}',
  perMonth: '{amount} a month',
  oneRescue: 'one rescue',

  designation: 'Where your gift goes',
  rescueFund: 'Rescue fund',
  rescueFundHint: '100% to rescues',
  mostNeeded: 'Where most needed',
  mostNeededHint: 'Rescues, resettlement and the work that keeps them safe',
  campaignHint: 'Campaign',

  tribute: 'Give in honour or in memory of someone',
  tributeKind: 'This gift is',
  inHonour: 'In honour of',
  inMemory: 'In memory of',
  tributeName: 'Their name',

  anonymous: 'Hide my name publicly',
  coverFees: 'Add {fee} to cover the processing fees',
  coverFeesHint: 'So the whole {amount} reaches the work.',
  coverFeesNoAmount: 'Cover the processing fees',

  you: 'About you',
  firstName: 'First name',
  lastName: 'Last name (optional)',
  email: 'Email',
  emailHint: 'Your receipt is sent here.',
  postcode: 'Postcode (optional)',
  emailConsent: 'Email me news of the rescues I help fund (you can stop at any time)',

  payment: 'Payment',
  testCard: 'Test card number',
  testCardHint:
    'This is the sandbox: no real money moves. 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined.',
  stripeHint: 'You will pay on Stripe’s secure page. Your card number never reaches us.',
  total: 'Total: {total}',
  totalMonthly: 'Total: {total} a month',
  give: 'Give {total}',
  giveMonthly: 'Give {total} monthly',
  giveNoAmount: 'Give',
  sending: 'Sending…',

  errorsTitle: 'Please correct the following',
  declined: 'Your card was declined. No money was taken. Try another card.',
  failed: 'Your gift could not be sent. Nothing was charged. Please try again.',
  rateLimited: 'Too many attempts. Wait a minute and try again.',

  required: 'Enter {field}.',
  amountRequired: 'Choose or enter an amount.',
  amountInvalid: 'Enter an amount such as {example}.',
  amountDecimals: '{currency} has no decimals: enter whole won, such as {example}.',
  amountDecimalPlaces: 'Use at most two decimal places, such as {example}.',
  amountTooSmall: 'The smallest gift is {min}.',
  amountTooLarge: 'For a gift this large, please contact us.',
  emailInvalid: 'Enter an email address such as name@example.org.',
  fieldFirstName: 'your first name',
  fieldEmail: 'your email address',
  fieldTributeName: 'their name',
  fieldTestCard: 'a test card number',

  thanksTitle: 'Thank you',
  failedTitle: 'Your gift did not go through',
  thanksSettled: 'Your gift of {amount} to {designation} has been received.',
  thanksSettledMonthly: 'Your monthly gift of {amount} to {designation} has started.',
  thanksPending:
    'We are confirming your gift of {amount} with the payment processor. This page updates by itself.',
  thanksFailed: 'Your payment did not go through, and nothing was charged.',
  thanksTribute: 'Given in honour or memory of someone dear to you.',
  receiptEmailed: 'A receipt has been emailed to you.',
  receiptSoon: 'A receipt will be emailed to you once the gift is confirmed.',
  feeCovered: 'Including {fee} to cover the processing fees.',
  thanksMissing: 'We could not find this gift. If you gave, your receipt will arrive by email.',
  giveAgain: 'Give again',
  tryAgain: 'Try again',

  progressUnits: '{funded} of {goal} rescues funded',
  progressMoney: '{raised} raised of {goal}',
  progressLabel: 'Progress of {name}',
};

export type StringKey = keyof typeof en;

const ko: Record<StringKey, string> = {
  title: '구출 활동에 후원하기',
  skipToContent: '본문으로 건너뛰기',
  lead: '여러분의 후원이 안전을 향한 여정을 이어 줍니다. 어떤 금액이든 도움이 됩니다.',
  otherLanguage: 'English',
  otherLanguageLabel: 'View in English',
  cancelled: '결제 페이지에서 나오셨습니다. 결제된 금액은 없으며, 아래에서 다시 시도하실 수 있습니다.',
  loadFailed: '후원 선택 항목을 불러오지 못했습니다. 연결을 확인하고 페이지를 새로 고쳐 주세요.',
  unavailable: '지금은 온라인 후원을 받을 수 없습니다. 잠시 후 다시 시도해 주세요.',
  campaignClosed: '링크의 캠페인은 현재 후원을 받지 않습니다. 아래에서 다른 곳에 후원하실 수 있습니다.',

  frequency: '후원 주기',
  once: '일시 후원',
  monthly: '정기 후원(매월)',
  amount: '금액',
  currency: '통화',
  otherAmount: '직접 입력',
  otherAmountHint: '{currency} 기준, 예: {example}',
  perMonth: '매월 {amount}',
  oneRescue: '구출 1건',

  designation: '후원금 사용처',
  rescueFund: '구출 기금',
  rescueFundHint: '100% 구출 활동에 사용',
  mostNeeded: '가장 필요한 곳',
  mostNeededHint: '구출, 정착 지원, 그리고 이를 안전하게 지키는 일',
  campaignHint: '캠페인',

  tribute: '누군가를 기리거나 추모하며 후원하기',
  tributeKind: '이 후원은',
  inHonour: '기리며',
  inMemory: '추모하며',
  tributeName: '그분의 이름',

  anonymous: '공개적으로 제 이름을 표시하지 않기',
  coverFees: '결제 수수료 {fee}을(를) 추가로 부담하기',
  coverFeesHint: '{amount} 전액이 활동에 쓰이도록 합니다.',
  coverFeesNoAmount: '결제 수수료를 추가로 부담하기',

  you: '후원자 정보',
  firstName: '이름',
  lastName: '성 (선택)',
  email: '이메일',
  emailHint: '영수증을 이 주소로 보내 드립니다.',
  postcode: '우편번호 (선택)',
  emailConsent: '제가 후원한 구출 소식을 이메일로 받겠습니다 (언제든 수신을 중단할 수 있습니다)',

  payment: '결제',
  testCard: '테스트 카드 번호',
  testCardHint:
    '샌드박스 환경입니다: 실제 돈은 오가지 않습니다. 4242 4242 4242 4242는 승인되고, 4000 0000 0000 0002는 거절됩니다.',
  stripeHint: 'Stripe의 보안 결제 페이지에서 결제합니다. 카드 번호는 저희에게 전달되지 않습니다.',
  total: '합계: {total}',
  totalMonthly: '합계: 매월 {total}',
  give: '{total} 후원하기',
  giveMonthly: '매월 {total} 후원하기',
  giveNoAmount: '후원하기',
  sending: '보내는 중…',

  errorsTitle: '다음 항목을 확인해 주세요',
  declined: '카드가 거절되었습니다. 결제된 금액은 없습니다. 다른 카드로 시도해 주세요.',
  failed: '후원을 보내지 못했습니다. 결제된 금액은 없습니다. 다시 시도해 주세요.',
  rateLimited: '시도 횟수가 너무 많습니다. 1분 후에 다시 시도해 주세요.',

  required: '{field}을(를) 입력해 주세요.',
  amountRequired: '금액을 선택하거나 입력해 주세요.',
  amountInvalid: '{example}처럼 금액을 입력해 주세요.',
  amountDecimals: '{currency}는 소수점이 없습니다. {example}처럼 원 단위로 입력해 주세요.',
  amountDecimalPlaces: '소수점 이하는 두 자리까지 입력할 수 있습니다. 예: {example}',
  amountTooSmall: '최소 후원 금액은 {min}입니다.',
  amountTooLarge: '이렇게 큰 금액의 후원은 저희에게 직접 연락해 주세요.',
  emailInvalid: 'name@example.org와 같은 이메일 주소를 입력해 주세요.',
  fieldFirstName: '이름',
  fieldEmail: '이메일 주소',
  fieldTributeName: '그분의 이름',
  fieldTestCard: '테스트 카드 번호',

  thanksTitle: '감사합니다',
  failedTitle: '후원이 완료되지 않았습니다',
  thanksSettled: '{designation}에 보내 주신 {amount}의 후원을 잘 받았습니다.',
  thanksSettledMonthly: '{designation}에 매월 {amount}의 정기 후원이 시작되었습니다.',
  thanksPending: '결제 대행사와 {amount} 후원을 확인하고 있습니다. 이 페이지는 저절로 새로 고쳐집니다.',
  thanksFailed: '결제가 완료되지 않았으며, 결제된 금액은 없습니다.',
  thanksTribute: '소중한 분을 기리거나 추모하며 보내 주신 후원입니다.',
  receiptEmailed: '영수증을 이메일로 보내 드렸습니다.',
  receiptSoon: '후원이 확인되면 영수증을 이메일로 보내 드립니다.',
  feeCovered: '결제 수수료 {fee}을(를) 포함한 금액입니다.',
  thanksMissing: '이 후원을 찾을 수 없습니다. 후원하셨다면 영수증이 이메일로 도착할 것입니다.',
  giveAgain: '다시 후원하기',
  tryAgain: '다시 시도하기',

  progressUnits: '구출 {goal}건 중 {funded}건 후원 완료',
  progressMoney: '목표 {goal} 중 {raised} 모금',
  progressLabel: '{name} 진행 상황',
};

export const STRINGS: Record<Language, Record<StringKey, string>> = { en, ko };

export type Translate = (key: StringKey, values?: Record<string, string>) => string;

export function translator(language: Language): Translate {
  const table = STRINGS[language];
  return (key, values = {}) =>
    table[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** The shell's stored choice first, then the browser's languages, then English (as the shell decides). */
export function pageLanguage(
  stored: string | null,
  preferred: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages,
): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

export function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeLanguage(language: Language): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // A private window may refuse storage: the choice still holds for this visit.
  }
}
