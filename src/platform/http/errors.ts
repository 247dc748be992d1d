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

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly id: ErrorId,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}
