import type { Command } from 'commander';
import { downloadDepsOf } from '../app/component-options.ts';
import { dataImport, dataList, dataVerify, type SeriesFilter } from '../data/commands.ts';
import { downloadCandles } from '../data/download/download-candles.ts';
import { downloadFunding } from '../data/download/download-funding.ts';
import { FundingStore } from '../data/funding-store.ts';
import { CandleStore } from '../data/store.ts';
import { CtError } from '../core/errors.ts';
import type { MarketType } from '../domain/instrument.ts';
import { buildContext } from './context.ts';
import { mergedGlobals } from './global-options.ts';
import { emitResult } from './output.ts';

function market(v: string | undefined, fallback: MarketType): MarketType {
  if (v === undefined) return fallback;
  if (v !== 'spot' && v !== 'linear') throw new CtError('CT_ERR_USAGE', `--market ${v}: expected spot or linear`, { details: { value: v } });
  return v;
}

function filterOf(o: { exchange?: string; market?: string; symbol?: string; timeframe?: string }): SeriesFilter {
  return { exchange: o.exchange, market: o.market === undefined ? undefined : market(o.market, 'spot'), symbol: o.symbol, timeframe: o.timeframe };
}

/** `data download | import | verify | list`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('market data: download, import, verify, list');

  data
    .command('download')
    .description('download candles (and with --funding, funding rates) from Bybit into the store; resumes where it stopped')
    .requiredOption('--symbols <list>', 'comma list of ccxt symbols, e.g. BTC/USDT,ETH/USDT (BTC/USDT:USDT on linear)')
    .requiredOption('--timeframe <tf>', 'candle timeframe, e.g. 1h')
    .requiredOption('--from <date>', 'first candle, YYYY-MM-DD')
    .option('--to <date>', 'end (exclusive); default: now')
    .option('--market <spot|linear>', 'default: exchange.market')
    .option('--funding', 'also download funding-rate history (linear perpetuals)')
    .action(async (o: { symbols: string; timeframe: string; from: string; to?: string; market?: string; funding?: boolean }, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd), 'data.log');
      const m = market(o.market, ctx.config.exchange.market);
      const store = new CandleStore(ctx.config.general.data_dir);
      const fundingStore = new FundingStore(ctx.config.general.data_dir);
      const deps = downloadDepsOf(ctx.config, store, ctx.logger, fundingStore);
      const symbols = o.symbols.split(',').map((s) => s.trim()).filter(Boolean);
      const r = await downloadCandles({ symbols, timeframe: o.timeframe, from: o.from, to: o.to, market: m }, deps);
      let text = r.text;
      let funding: unknown;
      if (o.funding) {
        const f = await downloadFunding({ symbols, from: o.from, to: o.to }, deps);
        text += `\n${f.text}`;
        funding = f.series;
      }
      emitResult(ctx.opts.json, { series: r.series, funding }, text);
    });

  data
    .command('import')
    .description('import a CSV (timestamp,open,high,low,close,volume; or timestamp,funding_rate with --funding-csv) into the store')
    .option('--csv <file>', 'candle CSV; timestamp in epoch ms or ISO-8601')
    .option('--funding-csv <file>', 'funding-rate CSV of a linear perpetual')
    .requiredOption('--symbol <symbol>', 'ccxt symbol, e.g. BTC/USDT or BTC/USDT:USDT')
    .option('--timeframe <tf>', 'timeframe of the candle CSV, e.g. 1h')
    .option('--exchange <name>', 'exchange the data came from', 'binance')
    .option('--market <spot|linear>', 'spot or linear', 'spot')
    .action(async (o: { csv?: string; fundingCsv?: string; symbol: string; timeframe?: string; exchange: string; market: string }, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd), 'data.log');
      if (!o.csv && !o.fundingCsv) throw new CtError('CT_ERR_USAGE', 'data import: give --csv FILE (candles) or --funding-csv FILE (funding rates)');
      if (o.csv && !o.timeframe) throw new CtError('CT_ERR_USAGE', 'data import --csv: --timeframe is required (e.g. --timeframe 1h)');
      const r = await dataImport({ dataDir: ctx.config.general.data_dir, csv: o.csv, funding: o.fundingCsv, symbol: o.symbol, timeframe: o.timeframe, exchange: o.exchange, market: market(o.market, 'spot') });
      emitResult(ctx.opts.json, r.summary, r.text);
    });

  data
    .command('verify')
    .description('list gaps (missing candles, never invented) and rule violations of stored series')
    .option('--exchange <name>').option('--market <spot|linear>').option('--symbol <symbol>').option('--timeframe <tf>')
    .action(async (o: { exchange?: string; market?: string; symbol?: string; timeframe?: string }, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd), 'data.log');
      const r = await dataVerify({ dataDir: ctx.config.general.data_dir, ...filterOf(o) });
      emitResult(ctx.opts.json, r.summary, r.text);
    });

  data
    .command('list')
    .description('what is stored: instrument, timeframe, first, last, rows, gaps')
    .option('--exchange <name>').option('--market <spot|linear>').option('--symbol <symbol>').option('--timeframe <tf>')
    .action(async (o: { exchange?: string; market?: string; symbol?: string; timeframe?: string }, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd), 'data.log');
      const r = await dataList({ dataDir: ctx.config.general.data_dir, ...filterOf(o) });
      emitResult(ctx.opts.json, r.summary, r.text);
    });
}
