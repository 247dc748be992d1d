import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS } from './errors';

describe('AppError', () => {
  it('answers each factory with its id and status, and keeps the message', () => {
    const cases: [AppError, string, number][] = [
      [AppError.invalid('amount: must be positive'), 'validation_failed', 400],
      [AppError.unauthenticated('Sign in first.'), 'unauthenticated', 401],
      [AppError.forbidden('No.'), 'forbidden', 403],
      [AppError.notFound('No such fund.'), 'not_found', 404],
      [AppError.conflict('Already posted.'), 'conflict', 409],
      [AppError.gone('This link has expired.'), 'gone', 410],
      [AppError.stepUpRequired('Confirm it is you.'), 'step_up_required', 403],
      [AppError.upstream('Stripe did not answer.'), 'internal', 502],
    ];
    for (const [error, id, status] of cases) {
      expect(error).toBeInstanceOf(AppError);
      expect([error.id, error.statusCode]).toEqual([id, status]);
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it('takes the status of its id unless told otherwise', () => {
    expect(new AppError('invitation_invalid', 'Used.').statusCode).toBe(ERROR_STATUS.invitation_invalid);
    expect(new AppError('enrolment_required', 'Enrol.').statusCode).toBe(403);
  });
});
