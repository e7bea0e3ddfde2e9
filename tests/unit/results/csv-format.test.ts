import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../src/core/time.ts';
import { IsoTimeFormatter, timeMsText } from '../../../src/reporting/results/csv-files.ts';
import { csvNum, csvText, roundSig } from '../../../src/reporting/results/format.ts';

describe('results formatting', () => {
  it('formats CSV times exactly like isoUtc, including times with milliseconds and day changes', () => {
    const f = new IsoTimeFormatter();
    const samples: number[] = [0, 1_514_764_800_000, 1_709_164_800_000 /* 2024-02-29 */, 1_704_067_199_000, 1_704_067_200_123, -86_400_000];
    let x = 1_500_000_000_000;
    for (let i = 0; i < 2000; i++) samples.push((x += 37 * 60_000 + (i % 3) * 1000));
    for (const ms of samples) expect(f.format(ms), String(ms)).toBe(isoUtc(ms));
  });

  it('prints epoch-ms times exactly as csvNum does, at the edges of its fast path too', () => {
    const samples = [0, -1, 999_999, 1e6, 1e6 + 1, 1_514_764_800_000, 1_704_067_200_123, 99_999_999_999_999, 1e14, 1e14 + 1, 2 ** 53 - 1, 2 ** 53, 1.5e6 + 0.5, -1_514_764_800_000, 1e21];
    let x = 1_000_000;
    while (x < 1e14) samples.push((x = x * 1.37 + 999_983), Math.floor(x), Math.floor(x / 1e6) * 1e6, Math.floor(x / 1e6) * 1e6 - 1);
    for (const ms of samples) expect(timeMsText(ms), String(ms)).toBe(csvNum(ms));
  });

  it('prints CSV numbers as the shortest text that parses back to the same double', () => {
    for (const v of [0.1 + 0.2, 1 / 3, 16500.12, 1e-7, 123456789.123, -2.5]) expect(Number(csvNum(v))).toBe(v);
    expect(csvNum(-0)).toBe('0');
    expect(csvNum(null)).toBe('');
  });

  it('rounds metrics to 10 significant digits and leaves integers alone', () => {
    expect(roundSig(1 / 3, 'x')).toBe(0.3333333333);
    expect(roundSig(123456.78901234, 'x')).toBe(123456.789);
    expect(roundSig(1_704_067_200_000, 'x')).toBe(1_704_067_200_000);
    expect(roundSig(-1e-13 / 3, 'x')).toBe(-3.333333333e-14);
    expect(() => roundSig(Infinity, 'metrics.returns.cagr')).toThrow(/metrics\.returns\.cagr/);
  });

  it('quotes CSV text only when it holds a comma, quote or line break', () => {
    expect(csvText('signal')).toBe('signal');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
  });
});
