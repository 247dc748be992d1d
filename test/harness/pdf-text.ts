import zlib from 'node:zlib';

/**
 * The text of a PDF written by pdfkit with embedded fonts, one line per text object, for assertions.
 * Small on purpose: it reads pdfkit's own output (objects, Flate streams, Type0 fonts with Identity-H
 * glyph codes and a ToUnicode map), not every PDF there is. Also answers the fonts the PDF embeds.
 */
export function pdfText(pdf: Buffer): { text: string; fonts: string[] } {
  const raw = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream: Buffer | null }>();
  const objectStart = /(\d+) 0 obj\s*/g;
  for (let m = objectStart.exec(raw); m; m = objectStart.exec(raw)) {
    const from = m.index + m[0].length;
    const end = raw.indexOf('endobj', from);
    const streamAt = raw.indexOf('stream', from);
    if (streamAt < 0 || streamAt > end) {
      objects.set(m[1] as string, { dict: raw.slice(from, end), stream: null });
      continue;
    }
    // A stream's bytes are taken by its /Length (pdfkit writes it directly), never by searching them.
    const dict = raw.slice(from, streamAt);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
    const dataAt = streamAt + 'stream'.length + (raw[streamAt + 6] === '\r' ? 2 : 1);
    let bytes = pdf.subarray(dataAt, dataAt + length);
    if (/\/FlateDecode/.test(dict)) bytes = zlib.inflateSync(bytes);
    objects.set(m[1] as string, { dict, stream: bytes });
    objectStart.lastIndex = raw.indexOf('endstream', dataAt + length);
  }
  const ref = (dict: string, key: string) => new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];

  // Font resource name (/F2) -> glyph code -> text, from each font's ToUnicode map.
  const maps = new Map<string, Map<number, string>>();
  const fonts: string[] = [];
  for (const { dict } of objects.values()) {
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(dict)?.[1];
    if (!fontDict) continue;
    for (const [, name, id] of fontDict.matchAll(/\/(\w+) (\d+) 0 R/g)) {
      const font = objects.get(id as string);
      if (!font || maps.has(name as string)) continue;
      const base = /\/BaseFont \/([^\s/]+)/.exec(font.dict)?.[1];
      if (base) fonts.push(base);
      const cmapId = ref(font.dict, 'ToUnicode');
      maps.set(
        name as string,
        cmapId ? toUnicode(objects.get(cmapId)?.stream?.toString('latin1') ?? '') : new Map(),
      );
    }
  }

  const lines: string[] = [];
  for (const { dict, stream } of objects.values()) {
    if (!stream || /\/Subtype|\/Length1|CIDInit/.test(dict + stream.subarray(0, 40).toString('latin1')))
      continue;
    const content = stream.toString('latin1');
    if (!/\bTf\b/.test(content)) continue;
    let map = new Map<number, string>();
    let line = '';
    for (const op of content.matchAll(
      /\/(\w+) [\d.]+ Tf|\[((?:[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\bET\b/g,
    )) {
      if (op[1]) map = maps.get(op[1]) ?? new Map();
      else if (op[2] !== undefined)
        for (const hex of op[2].matchAll(/<([0-9a-fA-F]*)>/g)) line += decode(hex[1] as string, map);
      else if (op[3] !== undefined) line += decode(op[3], map);
      else {
        lines.push(line);
        line = '';
      }
    }
  }
  return { text: lines.join('\n'), fonts };
}

function decode(hex: string, map: Map<number, string>): string {
  let out = '';
  for (let i = 0; i + 4 <= hex.length; i += 4)
    out += map.get(Number.parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
  return out;
}

function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const text = (hex: string) =>
    String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((h) => Number.parseInt(h, 16)));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
    for (const m of (block[1] as string).matchAll(/<(\w+)>\s*<(\w+)>\s*(\[[^\]]*\]|<\w+>)/g)) {
      const from = Number.parseInt(m[1] as string, 16);
      const to = Number.parseInt(m[2] as string, 16);
      const target = m[3] as string;
      if (target.startsWith('[')) {
        const items = [...target.matchAll(/<(\w+)>/g)].map((x) => text(x[1] as string));
        for (let code = from; code <= to; code++) map.set(code, items[code - from] ?? '');
      } else {
        const start = Number.parseInt(target.slice(1, -1), 16);
        for (let code = from; code <= to; code++) map.set(code, String.fromCodePoint(start + code - from));
      }
    }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const m of (block[1] as string).matchAll(/<(\w+)>\s*<(\w+)>/g))
      map.set(Number.parseInt(m[1] as string, 16), text(m[2] as string));
  return map;
}
