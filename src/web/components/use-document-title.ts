import { useEffect } from 'react';

/** Names the browser tab after the page, so screen-reader users hear where they arrived. */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Passage` : 'Passage';
  }, [title]);
}
