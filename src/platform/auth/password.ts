import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** The 10,000 most common passwords (ranked leak frequency, shipped by @zxcvbn-ts/language-common). */
export const COMMON_PASSWORD_COUNT = 10_000;
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map((p) => p.toLowerCase()),
  );
  return common;
}

/**
 * Why a new password is refused, or null when it is acceptable. Besides the length limits it refuses the
 * common and breached passwords of the list, those same passwords with a few digits or symbols added at the
 * end ("qwertyuiop12!"), a single repeated character, and passwords built from the person's own email or name.
 */
export function passwordProblem(
  password: string,
  person: { email?: string; name?: string } = {},
): string | null {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  const lower = password.toLowerCase();
  const list = commonPasswords();
  const stripped = lower.replace(/[\d\W_]{1,6}$/u, '');
  const leading = lower.replace(/^[\d\W_]{1,6}/u, '');
  if (
    list.has(lower) ||
    (stripped.length >= 4 && list.has(stripped)) ||
    (leading.length >= 4 && list.has(leading))
  ) {
    return 'is too common: it appears in lists of leaked passwords';
  }
  if (new Set(lower).size <= 2) return 'is too easy to guess: use more different characters';
  const localPart = person.email?.split('@')[0]?.toLowerCase();
  const nameParts = (person.name ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((p) => p.length >= 4);
  for (const part of [localPart, ...nameParts]) {
    if (part && part.length >= 4 && lower.includes(part) && lower.length - part.length < 6) {
      return 'is too close to your name or email address';
    }
  }
  return null;
}
