/** One problem with one field, as the server's validation answers name it. */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * A refused request. `id` is the server's stable error id (`validation_failed`, `forbidden`,
 * `setup_link_invalid`, …) or better-auth's code; `message` is the server's own sentence.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

function idForStatus(status: number): string {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal';
  return 'validation_failed';
}

interface ErrorBody {
  error?: unknown;
  code?: unknown;
  message?: unknown;
  issues?: unknown;
}

async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const e = (data ?? {}) as ErrorBody;
    const id = typeof e.error === 'string' ? e.error : typeof e.code === 'string' ? e.code : null;
    throw new ApiError(
      response.status,
      id ?? idForStatus(response.status),
      typeof e.message === 'string' ? e.message : '',
      Array.isArray(e.issues) ? (e.issues as FieldIssue[]) : [],
    );
  }
  return data as T;
}

export const api = {
  get: <T>(url: string) => request<T>('GET', url),
  /** State changes always send JSON, even an empty object: the server insists on it. */
  post: <T>(url: string, body: unknown = {}) => request<T>('POST', url, body),
  patch: <T>(url: string, body: unknown = {}) => request<T>('PATCH', url, body),
  put: <T = null>(url: string, body?: unknown) => request<T>('PUT', url, body),
  /** DELETE carries no body (the server refuses a JSON body on it). */
  delete: <T = null>(url: string) => request<T>('DELETE', url),
};

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

/**
 * The field-level problems of a refusal: the validation issues, or a service message shaped
 * `field: reason` (e.g. `password: is among the most common passwords`).
 */
export function fieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const issue of error.issues) if (fields.includes(issue.field)) out[issue.field] = issue.message;
  const match = /^(\w+): (.+)$/.exec(error.message);
  if (match?.[1] && match[2] && fields.includes(match[1]) && !out[match[1]]) out[match[1]] = match[2];
  return out;
}
