import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { commandLine, commandLineText, optionsFor, overridesOf } from '../../../src/cli/console/equivalent-command.ts';
import { modeOfConfig, runModeOf } from '../../../src/cli/console/mode-choice.ts';
import { crossProblem, paramOverrides, validateTyped } from '../../../src/cli/console/param-prompts.ts';
import { presetText } from '../../../src/cli/console/preset.ts';
import { strategyChoices } from '../../../src/cli/console/strategy-choices.ts';
import { coverageText, instrumentChoices } from '../../../src/cli/console/symbol-choices.ts';
import { fit, wrapCommand } from '../../../src/cli/console/text-fit.ts';
import type { GlobalOptions } from '../../../src/cli/global-options.ts';
import { loadStrategy, type DiscoveredStrategy } from '../../../src/strategies/loader.ts';

const BASE: GlobalOptions = { config: 'config/config.ini', set: ['general.data_dir=/d'], json: false, interactive: true, isolation: 'worker' };

describe('console: text that fits an 80-column terminal', () => {
  it('cuts a long line with an ellipsis and folds newlines', () => {
    expect(fit('a\nb')).toBe('a b');
    const long = fit('x'.repeat(100));
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });

  it('wraps a command between units, never inside a flag and its value, continued with a backslash', () => {
    const lines = wrapCommand(['npx tsx main.ts', ...Array.from({ length: 12 }, (_, i) => `--set strategy.simple_ma.p${i}=1`)]);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(' \\')).toBe(true);
    expect(lines.join(' ').replace(/ \\ {2,}/g, ' ')).toMatch(/^npx tsx main\.ts --set strategy\.simple_ma\.p0=1 .* --set strategy\.simple_ma\.p11=1$/);
  });
});

describe('console: the choices as a command line', () => {
  const choices = { mode: 'forward-demo' as const, strategies: ['simple_ma', 'ema_cross'], params: ['strategy.simple_ma.fast=10'], symbols: ['BTC/USDT'], timeframe: '4h', from: '2023-01-01', to: '2023-02-01' };

  it('keeps the options the console was started with and adds the choices; a forward run gets no range', () => {
    const o = optionsFor(BASE, choices, false);
    expect(o.interactive).toBeUndefined();
    expect(o.from).toBeUndefined();
    expect(o.isolation).toBe('worker');
    expect(o.set).toEqual(['general.data_dir=/d', 'forward.execution=bybit_demo', 'strategy.simple_ma.fast=10']);
    expect(commandLine(o)).toBe('npx tsx main.ts --mode forward --strategies simple_ma,ema_cross --symbols BTC/USDT --timeframe 4h --isolation worker --set general.data_dir=/d --set forward.execution=bybit_demo --set strategy.simple_ma.fast=10');
  });

  it('adds the range of a backtest, --confirm-live once live was typed, and quotes what a shell would split', () => {
    const bt = optionsFor({ ...BASE, config: '/tmp/my presets/a.ini' }, { ...choices, mode: 'backtest' }, false);
    expect(commandLine(bt)).toContain("--config '/tmp/my presets/a.ini' --mode backtest");
    expect(commandLine(bt)).toContain('--from 2023-01-01 --to 2023-02-01');
    expect(commandLine(optionsFor(BASE, { ...choices, mode: 'live' }, true))).toContain('--confirm-live');
    for (const l of commandLineText(bt, 78)) expect(l.length).toBeLessThanOrEqual(78);
  });

  it('lists the overrides in the order the daemon command applies them, mode-specific keys last', () => {
    const o = optionsFor(BASE, { ...choices, mode: 'dry-run' }, false);
    expect(overridesOf({ ...o, maxCandles: '100' }, { maxCandlesKey: 'dry_run.max_candles', symbolsKey: 'dry_run.symbols' })).toEqual([
      'general.data_dir=/d', 'strategy.simple_ma.fast=10', 'general.mode=dry-run', 'strategies.enabled=simple_ma,ema_cross', 'market.symbols=BTC/USDT',
      'market.timeframe=4h', 'strategies.isolation=worker', 'dry_run.max_candles=100', 'dry_run.symbols=BTC/USDT',
    ]);
  });

  it('maps the five console modes to run modes and back from the config', () => {
    expect(runModeOf('forward-paper')).toEqual({ mode: 'forward', sets: ['forward.execution=paper'] });
    expect(runModeOf('backtest')).toEqual({ mode: 'backtest', sets: [] });
    const c = loadConfig({ file: 'config/config.ini', sets: ['general.mode=forward', 'forward.execution=bybit_demo'] }).config;
    expect(modeOfConfig(c)).toBe('forward-demo');
  });
});

describe('console: strategy parameters', () => {
  it('validates a typed value with a message naming the parameter and the value', async () => {
    const { schema } = await loadStrategy({ kind: 'builtin', id: 'simple_ma' });
    expect(validateTyped(schema, 'fast', '12')).toBe(true);
    expect(validateTyped(schema, 'fast', '12.5')).toBe('simple_ma.fast = "12.5": expected an integer in [1, 1000]');
    expect(validateTyped(schema, 'fast', '0')).toMatch(/^simple_ma\.fast = "0": expected an integer in \[1, 1000\]$/);
  });

  it('finds the cross-field problem of the whole set (fast must be below slow)', async () => {
    const loaded = await loadStrategy({ kind: 'builtin', id: 'simple_ma' });
    expect(crossProblem(loaded, { fast: '60', slow: '50' })).toEqual({ param: 'fast', message: 'strategy.simple_ma.fast = 60 is not allowed: fast must be < slow (50)' });
    expect(crossProblem(loaded, { fast: '10', slow: '50' })).toBeUndefined();
  });

  it('overrides only what differs from the base config, compared as values', async () => {
    const { schema } = await loadStrategy({ kind: 'builtin', id: 'simple_ma' });
    expect(paramOverrides(schema, {}, { fast: '20', slow: '50', shorts: 'true' })).toEqual([]);
    expect(paramOverrides(schema, { fast: '15' }, { fast: '20', slow: '50', shorts: 'true' })).toEqual(['strategy.simple_ma.fast=20']);
    expect(paramOverrides(schema, {}, { fast: '10', slow: '050', shorts: 'false' })).toEqual(['strategy.simple_ma.fast=10', 'strategy.simple_ma.shorts=false']);
    expect(paramOverrides(schema, { fast: 'oops' }, { fast: '20', slow: '50', shorts: 'true' })).toEqual(['strategy.simple_ma.fast=20']);
  });
});

describe('console: lists', () => {
  const found = (n: number): DiscoveredStrategy => ({ id: `s${n}`, name: `Strategy ${n}`, version: '1.2.3', description: 'd'.repeat(200), source: { kind: 'builtin', id: `s${n}` }, inputs: {}, universe: false });

  it('numbers the strategies, preselects the enabled ones, and lists a broken file with its error, not selectable', () => {
    const cs = strategyChoices({ ok: [found(1), found(2)], broken: [{ file: '/x/custom/bad_one.ts', error: '/x/custom/bad_one.ts: could not be imported: Unexpected end of file\nmore', code: 'CT_ERR_STRATEGY_LOAD' }] }, ['s2']);
    expect(cs.map((c) => c.name.slice(0, 20))).toEqual(['1. s1 1.2.3 (Strateg', '2. s2 1.2.3 (Strateg', '3. bad_one BROKEN']);
    expect(cs.map((c) => c.checked === true)).toEqual([false, true, false]);
    expect(cs[2]!.disabled).toBe('(could not be imported: Unexpected end of file)');
    for (const c of cs) expect(c.name.length + (typeof c.disabled === 'string' ? c.disabled.length + 1 : 0)).toBeLessThanOrEqual(76);
  });

  it('marks stored symbols complete, with gaps, or missing parts for the range', () => {
    const base = { symbol: 'BTC/USDT', stored: true, gaps: 0, gapCandles: 0, missing: [] };
    expect(coverageText(base, false)).toBe('complete');
    expect(coverageText({ ...base, gaps: 2, gapCandles: 5 }, false)).toBe('2 gaps (5 candles)');
    expect(coverageText({ ...base, missing: [{ from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 1, 1) }, { from: 1, to: 2 }] }, true)).toBe('missing 2023-01-01..2023-02-01 +1 (auto-download)');
    expect(coverageText({ ...base, stored: false }, false)).toBe('not stored');
  });

  it('lists the configured symbols first, unchecked with a note when the exchange does not list them', () => {
    const cs = instrumentChoices(['BTC/USDT', 'ETH/USDT', 'XRP/USDT'], ['ETH/USDT', 'SOL/USDT']);
    expect(cs.map((c) => [c.value, c.checked === true])).toEqual([['ETH/USDT', true], ['SOL/USDT', false], ['BTC/USDT', false], ['XRP/USDT', false]]);
    expect(cs[1]!.name).toBe('SOL/USDT  (not an instrument of the market)');
    expect(instrumentChoices([], ['SOL/USDT']).map((c) => c.checked)).toEqual([true]);
  });
});

describe('console: presets', () => {
  it('renders the effective config with the overrides, which loads back to the same config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-preset-'));
    const overrides = ['general.mode=backtest', 'strategies.enabled=simple_ma', 'strategy.simple_ma.fast=10', 'market.symbols=ETH/USDT', 'backtest.from=2023-01-01'];
    const text = presetText('config/config.ini', overrides, 'npx tsx main.ts --config p.ini');
    expect(text.startsWith('; Preset written by the operator console')).toBe(true);
    const file = join(dir, 'p.ini');
    writeFileSync(file, text);
    const again = loadConfig({ file, sets: [] }).config;
    const direct = loadConfig({ file: 'config/config.ini', sets: overrides }).config;
    expect({ ...again, source: '' }).toEqual({ ...direct, source: '' });
    expect(again.strategy['simple_ma']?.['fast']).toBe('10');
  });
});
