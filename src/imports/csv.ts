import { parse } from 'csv-parse/sync';
import { ImportError } from './rows.js';

export interface CsvRecord {
  /** The physical line the record starts on (1-based). */
  line: number;
  cells: string[];
}

/**
 * Line numbers of byte offsets in a buffer, for offsets asked in increasing order. A line break is
 * CRLF, LF or a lone CR. (csv-parse's own line count counts a CRLF inside a quoted field twice.)
 */
function lineCounter(buf: Uint8Array): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset && at < buf.length; at += 1) {
      const byte = buf[at];
      if (byte === 0x0a) line += 1;
      else if (byte === 0x0d && buf[at + 1] !== 0x0a) line += 1;
    }
    return line;
  };
}

/**
 * Every record of a CSV text (RFC 4180: quoted fields with commas, doubled quotes and newlines;
 * CRLF, LF or both mixed; ragged rows allowed), with the line each starts on. Blank lines are dropped.
 * Broken quoting is an ImportError naming the line where the broken record starts.
 */
export function parseCsv(text: string, source: string): CsvRecord[] {
  const buf = Buffer.from(text, 'utf8');
  const lineAt = lineCounter(buf);
  const records: CsvRecord[] = [];
  let start = 0;
  try {
    parse(buf, {
      relax_column_count: true,
      skip_empty_lines: false,
      record_delimiter: ['\r\n', '\n', '\r'],
      on_record: (record, context) => {
        const line = lineAt(start);
        start = context.bytes;
        if (record.length > 0 && !(record.length === 1 && record[0]?.trim() === '')) records.push({ line, cells: record });
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const line = lineAt(start);
    const quoting =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'unclosed'
        : code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'closing'
          : code === 'INVALID_OPENING_QUOTE' || code === 'CSV_INVALID_OPENING_QUOTE'
            ? 'opening'
            : 'other';
    const what =
      quoting === 'unclosed'
        ? 'a quoted field that starts here is never closed'
        : quoting === 'closing'
          ? 'a quoted field that starts here is followed by other characters before the next comma'
          : quoting === 'opening'
            ? 'a quote appears inside a field that did not start with one'
            : (error as Error).message;
    throw new ImportError('broken-csv', `The CSV file has broken quoting at line ${line}: ${what}.`, { line, source, quoting, ...(quoting === 'other' ? { detail: what } : {}) });
  }
  return records;
}

/** The first record of a text, for detection (parsed alone, so broken quoting later on does not hide the format). */
export function firstRecord(text: string): string[] | undefined {
  const lineEnd = text.search(/\r?\n|\r/);
  const first = lineEnd === -1 ? text : text.slice(0, lineEnd);
  try {
    const [record] = parse(first, { relax_column_count: true, relax_quotes: true }) as string[][];
    return record;
  } catch {
    return undefined;
  }
}

/** Header cells normalized for lookup: trimmed, lower-case. */
export function headerIndex(header: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  header.forEach((cell, index) => {
    const key = cell.trim().toLowerCase();
    if (!map.has(key)) map.set(key, index);
  });
  return map;
}

/** A cell by header name (first name found wins), trimmed; undefined when absent or empty. */
export function cell(cells: readonly string[], index: Map<string, number>, ...names: string[]): string | undefined {
  for (const name of names) {
    const at = index.get(name);
    if (at === undefined) continue;
    const value = cells[at]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
