/** Small value parsers shared by the readers. */

/** The first four-digit year in a cell (`2013–2023` → 2013, `1991-02` → 1991). */
export function parseYear(value: string | undefined): number | undefined {
  const match = value?.match(/(?<!\d)(\d{4})(?!\d)/);
  if (!match?.[1]) return undefined;
  const year = Number(match[1]);
  return year >= 1870 && year <= 2200 ? year : undefined;
}

export function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string' || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function parseImdbId(value: string | undefined): string | undefined {
  const match = value?.match(/\btt\d{5,}\b/);
  return match?.[0];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date cell as a Date (UTC): `YYYY-MM-DD`, ISO timestamps, and IMDb's pre-2017 long form
 * `Mon Sep  1 10:12:05 2014` (day padded with a space). Partial dates (`1991-02`, `2017`) and
 * anything else give undefined.
 */
export function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let date: Date | undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) date = new Date(`${v}T00:00:00.000Z`);
  else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(v)) date = new Date(/Z|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
  else {
    const long = v.match(/^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/);
    const month = long?.[1] ? MONTHS.indexOf(long[1].toLowerCase()) : -1;
    if (long && month >= 0) date = new Date(Date.UTC(Number(long[6]), month, Number(long[2]), Number(long[3]), Number(long[4]), Number(long[5])));
  }
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}
