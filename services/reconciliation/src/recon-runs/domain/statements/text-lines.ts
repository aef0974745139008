import { statementMalformed } from '../recon-error';

export interface TextLine {
  /** 1-based line number in the file. */
  lineNo: number;
  text: string;
}

/**
 * Splits a statement file into lines and decodes each one on its own, so a byte sequence the
 * encoding cannot represent is reported with its line number. Splitting the bytes before
 * decoding is safe for GBK and UTF-8 alike: neither uses 0x0A inside a multi-byte character.
 * A CR before the LF is dropped (both channels write CRLF). A UTF-8 BOM on the first line is
 * dropped by the decoder itself.
 */
export function decodeLines(bytes: Uint8Array, encoding: 'gbk' | 'utf-8'): TextLine[] {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const lines: TextLine[] = [];
  let start = 0;
  let lineNo = 1;
  const push = (end: number) => {
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop -= 1;
    try {
      lines.push({ lineNo, text: decoder.decode(bytes.subarray(start, stop)) });
    } catch {
      throw statementMalformed(lineNo, `not valid ${encoding.toUpperCase()} text`);
    }
  };
  for (let index = 0; index < bytes.length; index += 1) {
    if (bytes[index] !== 0x0a) continue;
    push(index);
    start = index + 1;
    lineNo += 1;
  }
  if (start < bytes.length) push(bytes.length);
  return lines;
}

/**
 * One CSV record (RFC 4180 quoting: `"a,b"` and `""` inside quotes). Statements seldom quote, but
 * a comma in a product name (商品名称) must not shift every column after it.
 */
export function splitCsvRecord(text: string, lineNo: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else cell += char;
      index += 1;
      continue;
    }
    if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
    index += 1;
  }
  if (quoted) throw statementMalformed(lineNo, 'unterminated quoted field');
  cells.push(cell);
  return cells;
}
