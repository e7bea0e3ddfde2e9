import { describe, expect, it } from 'vitest';
import { isCtError } from '../../../src/core/errors.ts';
import { parseDateMs, readUtcDate } from '../../../src/core/time.ts';

describe('the one date parser', () => {
  it('reads dates, ISO-8601 date-times (zone-less = UTC, offsets applied) and epoch ms', () => {
    expect(readUtcDate('2023-01-01').ms).toBe(Date.UTC(2023, 0, 1));
    expect(readUtcDate(' 2024-02-29 ').ms).toBe(Date.UTC(2024, 1, 29));
    expect(readUtcDate('2023-06-30T23:59:59Z').ms).toBe(Date.UTC(2023, 5, 30, 23, 59, 59));
    expect(readUtcDate('2023-06-30 12:30').ms).toBe(Date.UTC(2023, 5, 30, 12, 30));
    expect(readUtcDate('2023-06-30T12:30:00.250').ms).toBe(Date.UTC(2023, 5, 30, 12, 30, 0, 250));
    expect(readUtcDate('2023-06-30T12:30:00+02:00').ms).toBe(Date.UTC(2023, 5, 30, 10, 30));
    expect(readUtcDate('2023-06-30T12:30:00-0130').ms).toBe(Date.UTC(2023, 5, 30, 14, 0));
    expect(readUtcDate('1672531200000').ms).toBe(1672531200000);
    expect(readUtcDate('2000-02-29').ms).toBe(Date.UTC(2000, 1, 29));
  });

  it('rejects impossible calendar dates and times instead of rolling them over, saying why', () => {
    expect(readUtcDate('2023-02-30').problem).toBe('February 2023 has 28 days');
    expect(readUtcDate('2023-02-29').problem).toBe('February 2023 has 28 days');
    expect(readUtcDate('1900-02-29').problem).toBe('February 1900 has 28 days');
    expect(readUtcDate('2023-04-31').problem).toBe('April 2023 has 30 days');
    expect(readUtcDate('2023-00-10').problem).toBe('month 00 does not exist');
    expect(readUtcDate('2023-13-01').problem).toBe('month 13 does not exist');
    expect(readUtcDate('2023-01-00').problem).toBe('day 00 does not exist');
    expect(readUtcDate('2023-01-01T24:00').problem).toBe('hour 24 does not exist (00-23)');
    expect(readUtcDate('2023-01-01T10:60').problem).toBe('minute 60 does not exist (00-59)');
    expect(readUtcDate('2023-01-01T10:00:61').problem).toBe('second 61 does not exist (00-59)');
    expect(readUtcDate('2023-01-01T10:00+25:00').problem).toBe('time zone offset +25:00 does not exist');
    expect(readUtcDate('1672531200').problem).toMatch(/epoch ms needs 12 to 14 digits \(10 given/);
    for (const bad of ['', 'tomorrow', '2023/01/01', '01-02-2023', '2023-1-1', 'March 3, 2023']) expect(readUtcDate(bad).problem).toMatch(/^expected YYYY-MM-DD/);
  });

  it('parseDateMs throws CT_ERR_USAGE naming the place and the value', () => {
    expect(parseDateMs('2023-03-02', '--from')).toBe(Date.UTC(2023, 2, 2));
    let err: unknown;
    try {
      parseDateMs('2023-02-30', '--from');
    } catch (e) {
      err = e;
    }
    expect(isCtError(err) && err.code).toBe('CT_ERR_USAGE');
    expect((err as Error).message).toBe('--from: "2023-02-30" is not a date: February 2023 has 28 days');
  });
});
