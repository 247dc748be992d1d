import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from './password';

describe('passwordProblem', () => {
  it('refuses 11 characters with the exact reason', () => {
    expect(passwordProblem('k7#mq2vz!pw')).toBe('must be at least 12 characters');
  });

  it('accepts exactly 12 and exactly 128 characters of a good passphrase', () => {
    expect(passwordProblem('k7#mq2vz!pwr')).toBeNull();
    const long = 'harbour-lantern-river-'.repeat(6).slice(0, PASSWORD_MAX);
    expect(long).toHaveLength(PASSWORD_MAX);
    expect(passwordProblem(long)).toBeNull();
  });

  it('refuses 129 characters with the exact reason', () => {
    const tooLong = 'harbour-lantern-river-'.repeat(6).slice(0, PASSWORD_MAX + 1);
    expect(passwordProblem(tooLong)).toBe('must be at most 128 characters');
    expect(PASSWORD_MIN).toBe(12);
  });

  it.each(['password1234', 'qwertyuiop12!', 'PASSWORD1234', '1234qwertyuiop', 'iloveyou12345'])(
    'refuses the top-list password %j (and with a few digits or symbols added)',
    (p) => {
      expect(passwordProblem(p)).toBe('is too common: it appears in lists of leaked passwords');
    },
  );

  it.each(['aaaaaaaaaaaa', 'abababababab', '!!!!!!!!!!!!!!', 'Zz'.repeat(8)])(
    'refuses repeated characters %j',
    (p) => {
      expect(passwordProblem(p)).toBe('is too easy to guess: use more different characters');
    },
  );

  it('refuses a password built from the email address', () => {
    expect(passwordProblem('minjikim2025!', { email: 'minjikim@example.org' })).toBe(
      'is too close to your name or email address',
    );
  });

  it('refuses a password built from the name', () => {
    expect(passwordProblem('Seoyeon#2025', { name: 'Park Seoyeon', email: 'p@example.org' })).toBe(
      'is too close to your name or email address',
    );
  });

  it('accepts a passphrase that merely contains a short name part among many other words', () => {
    expect(
      passwordProblem('harbour-lantern-river-42', { name: 'Ada Admin', email: 'ada@example.org' }),
    ).toBeNull();
  });

  it('accepts a good passphrase', () => {
    expect(
      passwordProblem('correct horse battery staple 9', { email: 'x@example.org', name: 'X' }),
    ).toBeNull();
  });
});
