import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/*
 * Receipts and statements are set in Noto Sans KR (SIL Open Font License 1.1, from the npm package
 * @embedpdf/fonts-kr): it has Latin, Hangul and the ₩ sign, so a Korean donor's name and the Korean
 * donation receipt print as written. pdfkit embeds only the glyphs a document uses (a subset of a few
 * kilobytes), never the whole 4.6 MB font.
 */

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;

/** The font files, read once per process. */
export function hangulFonts(): { regular: Buffer; bold: Buffer } {
  if (!fonts) {
    // The package's entry is dist/index.cjs; its fonts sit in fonts/ beside dist/.
    const dir = path.join(path.dirname(require.resolve('@embedpdf/fonts-kr')), '..', 'fonts');
    fonts = {
      regular: fs.readFileSync(path.join(dir, 'NotoSansKR-Regular.otf')),
      bold: fs.readFileSync(path.join(dir, 'NotoSansKR-Bold.otf')),
    };
  }
  return fonts;
}

/** Font names to pass to `doc.font(…)` after `registerHangulFonts(doc)`. */
export const BODY_FONT = 'NotoSansKR';
export const BOLD_FONT = 'NotoSansKR-Bold';

export function registerHangulFonts(doc: PDFKit.PDFDocument): void {
  const { regular, bold } = hangulFonts();
  doc.registerFont(BODY_FONT, regular);
  doc.registerFont(BOLD_FONT, bold);
}

/** Collects a pdfkit document into one buffer. */
export function pdfBuffer(
  doc: PDFKit.PDFDocument,
  write: (doc: PDFKit.PDFDocument) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      write(doc);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}
