import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { Timeframe } from '../../../src/core/timeframe.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { CLI_ARGS } from '../../support/cli-entry.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process, as a user would (tests/support/cli-entry.ts); `nodeArgs` come before it (preloaded hooks). */
export function cli(args: readonly string[], opts: { timeoutMs?: number; nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), ...CLI_ARGS, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `--set k=v` pairs for a list of overrides. */
export function setArgs(sets: readonly string[]): string[] {
  return sets.flatMap((s) => ['--set', s]);
}

/** Writes seeded synthetic candles of [from, to) into a store, through the real CandleStore. */
export async function writeSyntheticStore(
  dataDir: string,
  opts: { symbols: readonly string[]; timeframe: Timeframe; from: string; to: string; exchange?: string; market?: MarketType; seed?: number },
): Promise<void> {
  const store = new CandleStore(dataDir);
  const data = generateSynthetic({ seed: opts.seed ?? 7, symbols: opts.symbols, timeframe: opts.timeframe, from: Date.parse(`${opts.from}T00:00:00Z`), to: Date.parse(`${opts.to}T00:00:00Z`) });
  for (const [symbol, cols] of data) {
    await store.write({ exchange: opts.exchange ?? 'binance', market: opts.market ?? 'spot', symbol, timeframe: opts.timeframe }, cols);
  }
}

/** A candle CSV of seeded synthetic candles spaced by `timeframe`, optionally with rows removed (gaps). */
export function writeSyntheticCsv(file: string, opts: { timeframe: Timeframe; from: string; count: number; drop?: (i: number) => boolean; seed?: number }): void {
  const data = generateSynthetic({ seed: opts.seed ?? 11, symbols: ['BTC/USDT'], timeframe: opts.timeframe, from: Date.parse(`${opts.from}T00:00:00Z`), count: opts.count });
  const c = data.get('BTC/USDT')!;
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < c.length; i++) {
    if (opts.drop?.(i)) continue;
    lines.push([c.ts[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]].join(','));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** A bad-usage/config failure prints exactly one line naming what is wrong, never a stack trace. */
export function expectOneCleanLine(stderr: string, ...needles: string[]): void {
  const lines = stderr.trim().split('\n').filter((l) => !l.includes('nodedir'));
  expect(lines).toHaveLength(1);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(stderr).not.toMatch(/\n\s+at /);
}
