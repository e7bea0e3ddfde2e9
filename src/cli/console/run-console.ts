import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { CtError } from '../../core/errors.ts';
import { isoUtc, parseDateMs } from '../../core/time.ts';
import { TIMEFRAME_NAMES, type Timeframe } from '../../core/timeframe.ts';
import { shorthandSets, type GlobalOptions } from '../global-options.ts';
import { ConsoleCancelled } from './cancelled.ts';
import { commandLine, commandLineText, optionsFor, overridesOf, type ConsoleChoices } from './equivalent-command.ts';
import { MODE_CHOICES, modeOfConfig, runModeOf, usesExchange, type ConsoleMode } from './mode-choice.ts';
import { askParams } from './param-prompts.ts';
import { defaultPresetPath, presetExists, presetText, writePreset } from './preset.ts';
import { inquirerPrompter, type Prompter } from './prompter.ts';
import { strategyChoices } from './strategy-choices.ts';
import { coverageChoices, coverageText, exchangeInstruments, instrumentChoices, storeCoverage, type StoreQuery } from './symbol-choices.ts';
import { CONSOLE_WIDTH, fit } from './text-fit.ts';

/**
 * The operator's console (`--interactive`): the mode, strategies, their parameters, symbols,
 * timeframe and range at prompts, with the config (`--config`, `--set` and the other options it
 * was started with) as the defaults; then the equivalent command line and its overrides, a
 * confirmation, the run itself through the command line's own daemon command (same progress bar
 * or status line, same exit codes), and a preset that reproduces it with `--config`.
 *
 * Ctrl-C at any prompt leaves with exit 130 before anything was written (ConsoleCancelled).
 */
export async function runConsole(base: GlobalOptions): Promise<void> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new CtError('CT_ERR_USAGE', '--interactive: the console needs a terminal (stdin and stdout are not a TTY); give the run options on the command line instead');
  }
  if (base.json) throw new CtError('CT_ERR_USAGE', '--interactive cannot be combined with --json: the console talks to a terminal; run the equivalent command with --json instead');
  const baseSets = [...(base.dryRun === true ? ['general.mode=dry-run'] : []), ...shorthandSets(base)];
  const { config } = loadConfig({ file: base.config, sets: baseSets });
  const p = await inquirerPrompter();
  p.say('cryptotrader console: Ctrl-C leaves at any prompt, nothing written.');
  p.say(fit(`Defaults from ${base.config}`));

  const choices = await askChoices(p, config);
  const { mode: runMode } = runModeOf(choices.mode);
  const typedLive = choices.mode === 'live';
  const opts = optionsFor(base, choices, typedLive);
  const { loadMode } = await import('../../app/modes/index.ts');
  const mode = await loadMode(runMode);
  const overrides = overridesOf(opts, mode);

  p.say('\nEquivalent command:');
  p.say(commandLineText(opts, CONSOLE_WIDTH - 2).map((l) => `  ${l}`).join('\n'));
  p.say('Config overrides:');
  p.say(overrides.map((s) => fit(`  ${s}`)).join('\n'));
  if (!(await confirmRun(p, choices.mode))) {
    p.say('Not run: nothing was written.');
    return;
  }

  const { runDaemonCommand } = await import('../daemon-command.ts');
  const report = await runDaemonCommand(opts);
  const resultsDir = typeof report.json['results_dir'] === 'string' ? report.json['results_dir'] : undefined;
  if (runMode === 'backtest' && resultsDir !== undefined) {
    p.say('');
    p.say(`Report: ${resultsDir}/`);
    p.say('  report.txt, metrics.json, trades.csv, fills.csv, equity.csv, config.ini');
  }
  try {
    await offerPreset(p, base.config, overrides, choices, typedLive);
  } catch (e) {
    if (e instanceof ConsoleCancelled) throw new ConsoleCancelled('console left at the preset prompt: the run is done, no preset was written');
    throw e;
  }
}

async function askChoices(p: Prompter, config: Config): Promise<ConsoleChoices> {
  const mode = await p.select('Mode', MODE_CHOICES, modeOfConfig(config));

  const { discoverStrategies, loadStrategy } = await import('../../strategies/loader.ts');
  const found = await discoverStrategies(resolve(config.strategies.custom_dir));
  const strategies = await p.checkbox('Strategies (digit or space toggles, Enter confirms)', strategyChoices(found, config.strategies.enabled));
  const params: string[] = [];
  for (const id of strategies) {
    const s = found.ok.find((x) => x.id === id)!;
    params.push(...(await askParams(p, await loadStrategy(s.source), config.strategy[id] ?? {})));
  }

  const symbols = await askSymbols(p, mode, config);
  const timeframe = await p.select('Timeframe', TIMEFRAME_NAMES.map((t) => ({ value: t, name: t })), config.market.timeframe);
  if (mode !== 'backtest') return { mode, strategies, params, symbols, timeframe };

  const day = (ms: number | null): string => (ms === null ? '' : isoUtc(ms).slice(0, 10));
  const from = await p.input('Backtest from (YYYY-MM-DD, UTC)', day(config.backtest.from), dateCheck('from'));
  const to = await p.input('Backtest to, exclusive (YYYY-MM-DD)', day(config.backtest.to), (t) => {
    const d = dateCheck('to')(t);
    if (d !== true) return d;
    return parseDateMs(t.trim(), 'to') > parseDateMs(from.trim(), 'from') ? true : `to ${t.trim()} must be after from ${from.trim()}`;
  });
  await noteCoverage(p, config, symbols, timeframe as Timeframe, from.trim(), to.trim());
  return { mode, strategies, params, symbols, timeframe, from: from.trim(), to: to.trim() };
}

function dateCheck(which: string): (t: string) => true | string {
  return (t) => {
    try {
      parseDateMs(t.trim(), which);
      return true;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
}

function storeQuery(config: Config, timeframe: Timeframe, from: number, to: number): StoreQuery {
  return { dataDir: config.general.data_dir, exchange: config.backtest.data_exchange, market: config.exchange.market, timeframe, from, to };
}

async function askSymbols(p: Prompter, mode: ConsoleMode, config: Config): Promise<string[]> {
  const configured = mode === 'dry-run' ? config.dry_run.symbols : config.market.symbols;
  if (mode === 'backtest' && config.backtest.from !== null && config.backtest.to !== null) {
    const rows = await storeCoverage(storeQuery(config, config.market.timeframe, config.backtest.from, config.backtest.to), configured);
    const range = `${isoUtc(config.backtest.from).slice(0, 10)}..${isoUtc(config.backtest.to).slice(0, 10)}`;
    return p.checkbox(fit(`Symbols (${config.backtest.data_exchange} store, ${config.market.timeframe}, ${range})`, 72), coverageChoices(rows, configured, config.backtest.auto_download));
  }
  if (usesExchange(mode)) {
    p.say(fit(`Loading the instruments of ${config.exchange.rest_url} (${config.exchange.market})...`));
    const r = await exchangeInstruments({ restUrl: config.exchange.rest_url, market: config.exchange.market, timeoutMs: config.exchange.request_timeout_ms });
    if ('error' in r) p.say(fit(`Could not load the instruments (${r.error}); offering the configured symbols.`));
    return p.checkbox(`Symbols (${config.exchange.market} instruments)`, instrumentChoices('error' in r ? [] : r.symbols, configured));
  }
  return p.checkbox('Symbols', instrumentChoices([], [...new Set([...configured, ...config.market.symbols])]).map((c) => ({ ...c, checked: configured.includes(c.value) })));
}

/** After the range: the chosen symbols' coverage of the series and range that will run, when not complete. */
async function noteCoverage(p: Prompter, config: Config, symbols: readonly string[], timeframe: Timeframe, from: string, to: string): Promise<void> {
  const rows = await storeCoverage(storeQuery(config, timeframe, parseDateMs(from, 'from'), parseDateMs(to, 'to')), symbols);
  for (const r of rows.filter((x) => symbols.includes(x.symbol))) {
    const text = coverageText(r, config.backtest.auto_download);
    if (text !== 'complete') p.say(fit(`  note: ${r.symbol} ${timeframe} ${from}..${to}: ${text}`));
  }
}

async function confirmRun(p: Prompter, mode: ConsoleMode): Promise<boolean> {
  if (mode !== 'live') return p.confirm('Run it?', true);
  const word = await p.input('This places REAL orders. Type live to run it (anything else stops)', '');
  return word.trim() === 'live';
}

async function offerPreset(p: Prompter, configFile: string, overrides: readonly string[], c: ConsoleChoices, live: boolean): Promise<void> {
  if (!(await p.confirm('Save these choices as a preset (a config file for --config)?', true))) return;
  let path = await p.input('Preset file', defaultPresetPath(c.mode, c.strategies), (t) => (t.trim().endsWith('.ini') ? true : `preset file ${t.trim()}: must end in .ini`));
  path = path.trim();
  if (presetExists(path) && !(await p.confirm(fit(`${path} exists. Overwrite it?`, 72), false))) {
    p.say('Preset not saved.');
    return;
  }
  const rerun = commandLine({ config: path, set: [], json: false, ...(live ? { confirmLive: true } : {}) });
  writePreset(path, presetText(configFile, overrides, rerun));
  // Paths are shown whole (a cut path cannot be copied); they are the operator's own.
  p.say(`Saved ${path}`);
  p.say(`Run it again with:\n  ${rerun}`);
}
