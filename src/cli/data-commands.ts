import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { SeriesFilter } from '../data/commands.ts';
import type { CliContext } from './context.ts';
import { commonGlobals, globalsOf, honours, type GlobalOptions } from './global-options.ts';
import { emitResult } from './output.ts';

function market(v: string | undefined, fallback: MarketType): MarketType {
  if (v === undefined) return fallback;
  if (v !== 'spot' && v !== 'linear') throw new CtError('CT_ERR_USAGE', `--market ${v}: expected spot or linear`, { details: { value: v } });
  return v;
}

function filterOf(g: GlobalOptions, o: { exchange?: string; symbol?: string }): SeriesFilter {
  return { exchange: o.exchange, market: g.market === undefined ? undefined : market(g.market, 'spot'), symbol: o.symbol, timeframe: g.timeframe };
}

/**
 * Data commands read the config only for its folders and exchange settings: their --symbols,
 * --timeframe, --market, --from and --to say what to download, import or look at, and are NOT
 * turned into [market]/[backtest] overrides (so `data import --market linear` does not require
 * the config's spot market.symbols to become perpetuals).
 */
async function dataContext(cmd: Command): Promise<{ ctx: CliContext; g: GlobalOptions }> {
  const { buildContext } = await import('./context.ts');
  const g = globalsOf(cmd);
  return { ctx: await buildContext(commonGlobals(g), 'data.log'), g };
}

function required(v: string | undefined, flag: string, example: string): string {
  if (v === undefined || v.trim() === '') throw new CtError('CT_ERR_USAGE', `data download: ${flag} is required (e.g. ${flag} ${example})`, { details: { option: flag } });
  return v;
}

const FILTERS = [
  ['market', 'only series of this market: spot | linear'],
  ['timeframe', 'only series of this timeframe, e.g. 1h'],
] as const;

/** `data download | import | verify | list | repair`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('market data: download, import, verify, list, repair');

  const download = data
    .command('download')
    .description('download candles (and with --funding, funding rates) from Bybit into the store; resumes where it stopped')
    .option('--funding', 'also download funding-rate history (linear perpetuals)')
    .action(async (o: { funding?: boolean }, cmd: Command) => {
      const g0 = globalsOf(cmd);
      const symbols = required(g0.symbols, '--symbols', 'BTC/USDT').split(',').map((s) => s.trim()).filter(Boolean);
      const timeframe = required(g0.timeframe, '--timeframe', '1h');
      const from = required(g0.from, '--from', '2023-01-01');
      const { ctx, g } = await dataContext(cmd);
      const [{ downloadDepsOf }, { downloadCandles }, { downloadFunding }, { FundingStore }, { CandleStore }] = await Promise.all([
        import('../app/component-options.ts'),
        import('../data/download/download-candles.ts'),
        import('../data/download/download-funding.ts'),
        import('../data/funding-store.ts'),
        import('../data/store.ts'),
      ]);
      const m = market(g.market, ctx.config.exchange.market);
      const store = new CandleStore(ctx.config.general.data_dir);
      const fundingStore = new FundingStore(ctx.config.general.data_dir);
      const deps = downloadDepsOf(ctx.config, store, ctx.logger, fundingStore);
      const r = await downloadCandles({ symbols, timeframe, from, to: g.to, market: m }, deps);
      let text = r.text;
      let funding: unknown;
      if (o.funding) {
        const f = await downloadFunding({ symbols, from, to: g.to }, deps);
        text += `\n${f.text}`;
        funding = f.series;
      }
      emitResult(ctx.opts.json, { series: r.series, funding }, text);
    });
  honours(download, [
    ['symbols', 'what to download (required): comma list of ccxt symbols, e.g. BTC/USDT,ETH/USDT (BTC/USDT:USDT on linear)'],
    ['timeframe', 'candle timeframe to download (required), e.g. 1h'],
    ['from', 'first candle (required), YYYY-MM-DD'],
    ['to', 'end (exclusive); default: now'],
    ['market', 'spot | linear; default: exchange.market'],
  ]);

  const imp = data
    .command('import')
    .description('import a CSV (timestamp,open,high,low,close,volume; or timestamp,funding_rate with --funding-csv) into the store')
    .option('--csv <file>', 'candle CSV; timestamp in epoch ms or ISO-8601')
    .option('--funding-csv <file>', 'funding-rate CSV of a linear perpetual')
    .requiredOption('--symbol <symbol>', 'ccxt symbol, e.g. BTC/USDT or BTC/USDT:USDT')
    .option('--exchange <name>', 'exchange the data came from', 'binance')
    .action(async (o: { csv?: string; fundingCsv?: string; symbol: string; exchange: string }, cmd: Command) => {
      const { ctx, g } = await dataContext(cmd);
      if (!o.csv && !o.fundingCsv) throw new CtError('CT_ERR_USAGE', 'data import: give --csv FILE (candles) or --funding-csv FILE (funding rates)');
      if (o.csv && !g.timeframe) throw new CtError('CT_ERR_USAGE', 'data import --csv: --timeframe is required (e.g. --timeframe 1h)');
      const { dataImport } = await import('../data/commands.ts');
      const r = await dataImport({ dataDir: ctx.config.general.data_dir, csv: o.csv, funding: o.fundingCsv, symbol: o.symbol, timeframe: g.timeframe, exchange: o.exchange, market: g.market === undefined ? undefined : market(g.market, 'spot') });
      emitResult(ctx.opts.json, r.summary, r.text);
    });
  honours(imp, [
    ['timeframe', 'timeframe of the candle CSV, e.g. 1h (checked against the rows\' spacing)'],
    ['market', 'spot | linear (default: spot for --csv, linear for --funding-csv)'],
  ]);

  const verify = data
    .command('verify')
    .description('list gaps (missing candles, never invented), rule violations and corrupt month files of stored series; exit 1 when any is found')
    .option('--exchange <name>', 'only series of this exchange')
    .option('--symbol <symbol>', 'only series of this symbol')
    .option('--allow-gaps', 'gaps alone (exchange outages) do not fail the check')
    .action(async (o: { exchange?: string; symbol?: string; allowGaps?: boolean }, cmd: Command) => {
      const { ctx, g } = await dataContext(cmd);
      const { dataVerify } = await import('../data/commands.ts');
      const r = await dataVerify({ dataDir: ctx.config.general.data_dir, allowGaps: o.allowGaps === true, ...filterOf(g, o) });
      emitResult(ctx.opts.json, r.summary, r.text);
      if (!r.summary.ok) {
        const parts = [`${r.summary.violations} violations`, `${r.summary.corrupt} corrupt month files`, `${r.summary.gaps} gaps${o.allowGaps ? ' (allowed)' : ''}`];
        const hint = r.summary.violations === 0 && r.summary.corrupt === 0 ? ' (pass --allow-gaps if they are exchange outages)' : '';
        throw new CtError('CT_ERR_DATA_VERIFY_FAILED', `data verify: ${parts.join(', ')}${hint}`, { details: { ...r.summary, series: undefined } });
      }
    });
  honours(verify, FILTERS);

  const list = data
    .command('list')
    .description('what is stored: instrument, timeframe, first, last, rows, gaps; corrupt month files are named')
    .option('--exchange <name>', 'only series of this exchange')
    .option('--symbol <symbol>', 'only series of this symbol')
    .action(async (o: { exchange?: string; symbol?: string }, cmd: Command) => {
      const { ctx, g } = await dataContext(cmd);
      const { dataList } = await import('../data/commands.ts');
      const r = await dataList({ dataDir: ctx.config.general.data_dir, ...filterOf(g, o) });
      emitResult(ctx.opts.json, r.summary, r.text);
    });
  honours(list, FILTERS);

  const repair = data
    .command('repair')
    .description('move corrupt month files aside (to <file>.corrupt-<n>, never deleted) and say which range to re-import or re-download')
    .option('--exchange <name>', 'only series of this exchange')
    .option('--symbol <symbol>', 'only series of this symbol')
    .action(async (o: { exchange?: string; symbol?: string }, cmd: Command) => {
      const { ctx, g } = await dataContext(cmd);
      const { dataRepair } = await import('../data/commands.ts');
      const r = await dataRepair({ dataDir: ctx.config.general.data_dir, ...filterOf(g, o) });
      emitResult(ctx.opts.json, r.summary, r.text);
    });
  honours(repair, FILTERS);
}
