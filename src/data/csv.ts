/**
 * Hand-written CSV reader for numeric time series (candles, funding). No CSV library: the files
 * are plain `a,b,c` numbers, and parsing by hand is what makes a 73k-row import take tens of ms.
 * Row numbers are LINE numbers in the file (header = line 1), so a reported row can be found
 * with any editor. Rows that cannot be parsed are rejected and reported; the rest are returned.
 */
import { readFileSync } from 'node:fs';
import { CtError } from '../core/errors.ts';
import { readUtcDate } from '../core/time.ts';
import type { RejectedRow } from '../domain/candle-validation.ts';

export interface ParsedCsv {
  /** Data rows parsed (not counting the header or blank lines), including rejected ones. */
  readonly rowsRead: number;
  readonly length: number;
  /** One column per header field; column 0 is the timestamp in epoch ms. */
  readonly columns: Float64Array[];
  /** Line number of each returned row. */
  readonly rowNumbers: Int32Array;
  readonly rejected: RejectedRow[];
}

/**
 * Epoch ms from `1514764800000` or ISO-8601 (`2018-01-01T00:00:00Z`, `2018-01-01 00:00`); a
 * zone-less ISO time is UTC. ISO text goes through the one date parser (src/core/time.ts), so an
 * impossible calendar date is a rejected row, never a candle rolled into the next month. NaN = not a time.
 */
export function parseTimestamp(text: string): number {
  return readUtcDate(text).ms ?? NaN;
}

/**
 * Hot path: plain epoch-ms digits (12 to 14 of them, the one date parser's rule, so epoch seconds
 * are refused rather than read as 1970) are summed by hand; anything else goes to parseTimestamp.
 */
function parseTimestampField(text: string, from: number, to: number): number {
  if (to - from >= 12 && to - from <= 14) {
    let v = 0;
    for (let i = from; i < to; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return parseTimestamp(text.slice(from, to));
      v = v * 10 + d;
    }
    return v;
  }
  return parseTimestamp(text.slice(from, to));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CtError('CT_ERR_CSV_INVALID', `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      cause: e,
      details: { file },
    });
  }
}

/**
 * Parses `file` whose header must equal one of `headers` (case-insensitive, spaces ignored).
 * Throws CT_ERR_CSV_INVALID for a missing file or a wrong header; bad rows are only rejected.
 */
export function parseNumericCsv(file: string, headers: ReadonlyArray<readonly string[]>): ParsedCsv {
  let text = readText(file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let eol = text.indexOf('\n');
  if (eol < 0) eol = text.length;
  const headerLine = text.slice(0, eol).replace(/\r$/, '');
  const got = headerLine.split(',').map((h) => h.trim().toLowerCase());
  const ok = headers.some((h) => h.length === got.length && h.every((name, i) => name === got[i]));
  if (!ok) {
    throw new CtError('CT_ERR_CSV_INVALID', `${file}: header "${headerLine}" is not ${headers.map((h) => `"${h.join(',')}"`).join(' or ')}`, {
      details: { file, header: headerLine },
    });
  }
  const width = got.length;
  const names = headers[0]!;
  // Upper bound on rows: number of newlines + 1.
  let cap = 1;
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) cap++;
  const columns = Array.from({ length: width }, () => new Float64Array(cap));
  const rowNumbers = new Int32Array(cap);
  const rejected: RejectedRow[] = [];
  let k = 0, rowsRead = 0, line = 1, pos = eol + 1;
  const len = text.length;
  while (pos < len) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
    if (stop > pos) {
      rowsRead++;
      let reason: string | undefined;
      let start = pos;
      for (let f = 0; f < width; f++) {
        const last = f === width - 1;
        const comma = last ? stop : text.indexOf(',', start);
        if (!last && (comma < 0 || comma >= stop)) {
          reason = `expected ${width} fields, found ${f + 1}`;
          break;
        }
        const field = f === 0 ? '' : text.slice(start, comma);
        if (last && field.includes(',')) {
          reason = `expected ${width} fields, found more`;
          break;
        }
        let v = f === 0 ? parseTimestampField(text, start, comma) : Number(field);
        if (v === 0 && f > 0 && field.trim() === '') v = NaN; // Number('') and Number(' ') are 0
        if (Number.isNaN(v)) {
          const why = f === 0 ? readUtcDate(text.slice(start, comma)).problem : undefined;
          reason = `${names[f]} "${text.slice(start, comma)}" is not a ${f === 0 ? 'timestamp (epoch ms or ISO-8601)' : 'number'}${why ? `: ${why}` : ''}`;
          break;
        }
        columns[f]![k] = v;
        start = comma + 1;
      }
      if (reason === undefined) {
        rowNumbers[k] = line;
        k++;
      } else {
        rejected.push({ row: line, reason });
      }
    }
    pos = end + 1;
  }
  return { rowsRead, length: k, columns: columns.map((c) => c.subarray(0, k)), rowNumbers: rowNumbers.subarray(0, k), rejected };
}
