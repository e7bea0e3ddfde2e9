import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sliceColumns } from '../../../src/domain/candle.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { tempWorkspace } from '../../support/backtest-env.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { runCliProcess } from '../../support/cli-process.ts';
import { SPOT_MARKET, SYNTHETIC_EXCHANGE, syntheticSeries, writeSyntheticStore, type SyntheticMarketSpec } from '../../support/synthetic-store.ts';
import { startTerminal, TERMINAL_COLUMNS, type Terminal } from '../../support/terminal.ts';

/**
 * The operator's console driven as a person would: the built CLI with --interactive in a real
 * 80-column terminal (tmux), keys in, screen out.
 */

/** Two symbols stored in full for 60 days of 1h candles; a third stored with a missing start and a hole. */
const MARKET: SyntheticMarketSpec = { ...SPOT_MARKET, symbols: ['BTC/USDT', 'ETH/USDT'], count: 60 * 24 };

function workspace(): { root: string; config: string; dirs: string[] } {
  const ws = tempWorkspace('ct-console-');
  const custom = join(ws.root, 'custom');
  mkdirSync(custom, { recursive: true });
  writeFileSync(join(custom, 'half_written.ts'), 'export const schema = { id: "half_written", \n');
  const config = join(ws.root, 'base.ini');
  writeFileSync(config, [
    '[general]', 'mode = backtest', `data_dir = ${join(ws.root, 'data')}`, `state_dir = ${join(ws.root, 'State')}`,
    `results_dir = ${join(ws.root, 'results')}`, `log_dir = ${join(ws.root, 'logs')}`,
    '[backtest]', `data_exchange = ${SYNTHETIC_EXCHANGE}`, 'auto_download = false', 'from = 2023-01-01', 'to = 2023-03-02',
    '[exchange]', 'market = spot', '[market]', 'timeframe = 1h', 'symbols = BTC/USDT,ETH/USDT',
    '[strategies]', 'enabled = simple_ma', `custom_dir = ${custom}`, '',
  ].join('\n'));
  return { root: ws.root, config, dirs: ['State', 'results', 'logs', 'config'].map((d) => join(ws.root, d)) };
}

describe('the operator console (--interactive)', () => {
  let term: Terminal | undefined;
  afterEach(async () => {
    await term?.close();
    term = undefined;
  });

  describe('on a synthetic store', () => {
    const ws = workspace();
    beforeAll(async () => {
      await writeSyntheticStore(join(ws.root, 'data'), MARKET);
      const sol = syntheticSeries('SOL/USDT', SPOT_MARKET);
      const store = new CandleStore(join(ws.root, 'data'));
      const key = { exchange: SYNTHETIC_EXCHANGE, market: 'spot' as const, symbol: 'SOL/USDT', timeframe: '1h' as const };
      await store.write(key, sliceColumns(sol, 3 * 24, 10 * 24));
      await store.write(key, sliceColumns(sol, 12 * 24, 60 * 24));
    });

    it('goes from the first prompt to a finished backtest with one changed parameter, and its saved preset reproduces the run with --config', async () => {
      term = await startTerminal(['--interactive', '--config', ws.config], { cwd: REPO_ROOT });
      const t = term;

      let s = await t.waitFor('? Mode');
      for (const m of ['backtest', 'dry-run', 'forward, paper', 'forward on Bybit demo', 'live: REAL orders']) expect(s).toContain(m);
      await t.keys('Enter'); // backtest: the config's mode is the default

      s = await t.waitFor('? Strategies');
      expect(s).toMatch(/◉ 1\. simple_ma 1\.0\.0 \(Simple moving-average crossover\)/); // enabled in the config: preselected
      expect(s).toMatch(/◯ 2\. ema_cross 1\.0\.0/);
      // Listed with its error and drawn disabled ("-" instead of a box): the cursor skips it.
      expect(s).toMatch(/^ - 10\. half_written BROKEN \(.*(could not be imported|Unexpected|Expected)/m);
      await t.keys('Enter');

      // Parameters, validated as typed: a bad value is refused naming the parameter and the value.
      await t.waitFor('? simple_ma.fast (int 1..1000, default 20)');
      await t.type('abc');
      await t.keys('Enter');
      await t.waitFor('simple_ma.fast = "abc": expected an integer in [1, 1000]');
      await t.keys('BSpace', 'BSpace', 'BSpace');
      await t.type('60');
      await t.keys('Enter');
      await t.waitFor('? simple_ma.slow');
      await t.keys('Enter'); // slow stays 50
      await t.waitFor('? simple_ma.shorts');
      await t.keys('Enter');
      // The cross-field rule: fast must be below slow; fast is asked again.
      await t.waitFor('strategy.simple_ma.fast = 60 is not allowed: fast must be < slow (50)');
      await t.waitFor('? simple_ma.fast (int 1..1000, default 20): fast SMA period (60)');
      await t.type('10');
      await t.keys('Enter');

      // Symbols: what the store holds, marked for the range.
      s = await t.waitFor('? Symbols (synthetic store, 1h, 2023-01-01..2023-03-02)');
      expect(s).toMatch(/◉ BTC\/USDT\s+complete/);
      expect(s).toMatch(/◉ ETH\/USDT\s+complete/);
      expect(s).toMatch(/◯ SOL\/USDT\s+missing 2023-01-01\.\.2023-01-04, 1 gaps \(48 candles\)/);
      await t.keys('Enter');
      await t.waitFor('? Timeframe');
      await t.keys('Enter');
      await t.waitFor('? Backtest from');
      await t.keys('Enter');
      await t.waitFor('? Backtest to');
      await t.keys('Enter');

      s = await t.waitFor('? Run it?');
      expect(s).toMatch(/✔ Strategies \(.*\) simple_ma\n/); // only the preselected one
      const command = s.slice(s.indexOf('Equivalent command:'), s.indexOf('Config overrides:')).split('\n').slice(1).map((l) => l.trim().replace(/ \\$/, '')).join(' ').trim();
      expect(command).toBe(`npx tsx main.ts --config ${ws.config} --mode backtest --strategies simple_ma --symbols BTC/USDT,ETH/USDT --timeframe 1h --from 2023-01-01 --to 2023-03-02 --set strategy.simple_ma.fast=10`.replace(/\s+/g, ' '));
      expect(s).toContain('  strategy.simple_ma.fast=10\n');
      expect(s).toContain('  backtest.from=2023-01-01\n');
      // Everything the console printed so far fits an 80-column terminal without wrapping.
      const wide = s.split('\n').filter((l) => l.length > TERMINAL_COLUMNS);
      expect(wide).toEqual([]);
      for (const d of ws.dirs) expect(existsSync(d), `${d} before the run`).toBe(false);
      await t.keys('Enter');

      // The run's own summary, then where the report is, then the preset.
      s = await t.waitFor('? Save these choices as a preset', { timeoutMs: 30_000 });
      expect(s).toContain('Trades');
      const report = /Report: (\S+)\/\n/.exec(s)?.[1];
      expect(report).toBeDefined();
      expect(report!.startsWith(join(ws.root, 'results', 'backtest-'))).toBe(true);
      await t.keys('Enter');
      await t.waitFor('? Preset file (config/presets/backtest-simple_ma.ini)'); // the default, under the working directory
      const preset = join(ws.root, 'config', 'presets', 'simple-ma-fast-10.ini');
      await t.type(preset);
      await t.keys('Enter');
      s = await t.waitFor(`Saved ${preset}\nRun it again with:`);
      expect(s).toContain(`npx tsx main.ts --config ${preset}`);
      expect(await t.exitCode()).toBe(0);

      const text = readFileSync(preset, 'utf8');
      expect(text).toMatch(/\[strategy\.simple_ma\]\nfast = 10\n/);
      expect(text).not.toMatch(/^\s*slow\s*=/m); // only the changed parameter

      // The preset alone runs the same backtest.
      const again = await runCliProcess(['--config', preset, '--json'], 60_000);
      expect(again.code, again.stderr).toBe(0);
      const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { results_dir: string; trades: number };
      expect(summary.results_dir).not.toBe(report);
      for (const f of ['fills.csv', 'trades.csv', 'equity.csv', 'metrics.json']) {
        expect(readFileSync(join(summary.results_dir, f), 'utf8'), f).toBe(readFileSync(join(report!, f), 'utf8'));
      }
      expect(readFileSync(join(report!, 'fills.csv'), 'utf8').trim().split('\n').length).toBeGreaterThan(10);
      expect(readdirSync(join(ws.root, 'results'))).toHaveLength(2);
    });
  });

  it('leaves with exit 130 at Ctrl-C on the first prompt, having written nothing', async () => {
    const ws = workspace();
    term = await startTerminal(['--interactive', '--config', ws.config], { cwd: REPO_ROOT });
    await term.waitFor('? Mode');
    await term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
    expect(await term.screen()).toContain('console cancelled at a prompt: nothing was run or written');
    for (const d of ws.dirs) expect(existsSync(d), d).toBe(false);
  });

  it('exits 2 with one line saying it needs a terminal when stdin and stdout are not one', async () => {
    const ws = workspace();
    const r = await runCliProcess(['--interactive', '--config', ws.config], 30_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CT_ERR_USAGE.*--interactive: the console needs a terminal/);
    for (const d of ws.dirs) expect(existsSync(d), d).toBe(false);
  });
});
