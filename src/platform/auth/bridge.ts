import type { FastifyRequest } from 'fastify';
import { CLIENT_IP_HEADER } from './auth';

/**
 * better-auth names secure cookies with the `__Secure-` prefix. We serve them as `__Host-` cookies (Secure,
 * Path=/, no Domain: bound to this exact origin), renaming on the way out and back on the way in.
 */
const OURS = '__Host-passage.';
const THEIRS = '__Secure-passage.';

export function outboundCookie(setCookie: string): string {
  return setCookie.startsWith(THEIRS) ? OURS + setCookie.slice(THEIRS.length) : setCookie;
}

function inboundCookieHeader(cookie: string): string {
  return cookie.replaceAll(OURS, THEIRS);
}

/** The request's headers as Fetch headers for better-auth, with our client-address header set by us alone. */
export function fetchHeaders(request: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key === CLIENT_IP_HEADER || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) headers.append(key, key === 'cookie' ? inboundCookieHeader(v) : v);
  }
  headers.set(CLIENT_IP_HEADER, request.ip);
  return headers;
}

/**
 * The caller is between the two steps of a staff sign-in: better-auth set its two-factor cookie (signed,
 * short-lived) after the password. Only its presence is read here; better-auth verifies it.
 */
export function hasPendingSignIn(request: FastifyRequest): boolean {
  return /(?:^|;\s*)(?:__Host-)?passage\.two_factor=/.test(request.headers.cookie ?? '');
}
