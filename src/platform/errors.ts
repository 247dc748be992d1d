/** Stable error ids the API answers with; the web shows a translated message for each. */
export type ErrorId =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'setup_link_invalid'
  | 'invitation_invalid'
  | 'enrolment_required'
  | 'step_up_required'
  | 'session_expired'
  | 'gone'
  | 'internal';

/** The HTTP status each id answers with, so a throw names the id once and never restates its status. */
export const ERROR_STATUS: Record<ErrorId, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  session_expired: 401,
  forbidden: 403,
  enrolment_required: 403,
  step_up_required: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  setup_link_invalid: 410,
  invitation_invalid: 410,
  rate_limited: 429,
  internal: 500,
};

/**
 * An error a request may see: its id and message are sent as `{ error, message }` with the id's status.
 * Throw it through a factory (`AppError.notFound('No such fund.')`); the message is shown to the caller, so it
 * names the problem and never carries a person's data.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly id: ErrorId,
    message: string,
    readonly statusCode: number = ERROR_STATUS[id],
  ) {
    super(message);
  }

  /** 400: the input is wrong; the message names the field and what it expects. */
  static invalid(message: string): AppError {
    return new AppError('validation_failed', message);
  }
  static unauthenticated(message: string): AppError {
    return new AppError('unauthenticated', message);
  }
  static forbidden(message: string): AppError {
    return new AppError('forbidden', message);
  }
  /** 404, also for what exists but the caller may not know exists. */
  static notFound(message: string): AppError {
    return new AppError('not_found', message);
  }
  /** 409: the request clashes with the current state (a duplicate, a closed record, a race lost). */
  static conflict(message: string): AppError {
    return new AppError('conflict', message);
  }
  /** 410: it existed and is no longer usable (an expired link, a spent code). */
  static gone(message: string): AppError {
    return new AppError('gone', message);
  }
  static stepUpRequired(message: string): AppError {
    return new AppError('step_up_required', message);
  }
  /** 502: a service Passage depends on (a payment processor) failed; nothing was changed here. */
  static upstream(message: string): AppError {
    return new AppError('internal', message);
  }
}
