/**
 * The server puts the request's style nonce in `<meta name="csp-nonce">` (see platform/http/web.ts).
 * Mantine adds <style> tags at run time; without this nonce the strict CSP would refuse them.
 */
export function readStyleNonce(doc: Document = document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
}

/**
 * Modals lock page scrolling with a <style> element that react-remove-scroll adds itself; it takes its
 * nonce from the global `__webpack_nonce__` (through get-nonce). Without it the CSP refuses that style.
 */
export function shareStyleNonce(nonce: string): string {
  if (nonce) (globalThis as { __webpack_nonce__?: string }).__webpack_nonce__ = nonce;
  return nonce;
}
