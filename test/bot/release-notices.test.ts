import { describe, expect, it } from 'vitest';
import { inQuietHours, isTimeZone, localMinute, parseQuietHours } from '../../src/bot/core/release-notices.js';

describe('release notices: quiet hours', () => {
  it('GIVEN ranges as users type them THEN they parse to minutes; equal ends and nonsense do not', () => {
    expect(parseQuietHours('22-08')).toEqual({ startMinute: 22 * 60, endMinute: 8 * 60 });
    expect(parseQuietHours('22:30-7:15')).toEqual({ startMinute: 22 * 60 + 30, endMinute: 7 * 60 + 15 });
    expect(parseQuietHours('0-24')).toBeUndefined(); // 24 is midnight: the same as 0
    expect(parseQuietHours('9-9')).toBeUndefined();
    expect(parseQuietHours('25-08')).toBeUndefined();
    expect(parseQuietHours('late')).toBeUndefined();
  });

  it('GIVEN quiet hours over midnight in a zone THEN now is quiet by the local clock', () => {
    const quiet = parseQuietHours('22-08') ?? null;
    // 21:30 UTC is 22:30 in Berlin in winter (quiet), 21:30 in UTC (not).
    const at = new Date('2026-01-15T21:30:00Z');
    expect(localMinute(at, 'Europe/Berlin')).toBe(22 * 60 + 30);
    expect(inQuietHours(at, { quiet, timeZone: 'Europe/Berlin' })).toBe(true);
    expect(inQuietHours(at, { quiet, timeZone: 'UTC' })).toBe(false);
    expect(inQuietHours(new Date('2026-01-15T07:59:00Z'), { quiet, timeZone: 'UTC' })).toBe(true);
    expect(inQuietHours(new Date('2026-01-15T08:00:00Z'), { quiet, timeZone: 'UTC' })).toBe(false);
    expect(inQuietHours(at, { quiet: null, timeZone: 'UTC' })).toBe(false);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
