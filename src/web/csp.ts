/**
 * The server puts the request's style nonce in `<meta name="csp-nonce">` (see platform/http/web.ts).
 * Mantine adds <style> tags at run time; without this nonce the strict CSP would refuse them.
 */
export function readStyleNonce(doc: Document = document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
}
