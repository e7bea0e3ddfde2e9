import type { Config } from '../config/schema.ts';
import { CtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { SeriesKey } from '../domain/instrument.ts';
import { CandleStore } from '../data/store.ts';
import { FundingStore } from '../data/funding-store.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * Loads the backtest's candles from the Parquet store. Ranges that are not stored are downloaded
 * first when backtest.auto_download is on (and the exchange is bybit); otherwise, or when the
 * download fails, the run stops with one line naming the missing range and the command to fix it.
 */
export async function loadBacktestCandles(config: Config, logger: Logger): Promise<Map<string, CandleColumns>> {
  const store = new CandleStore(config.general.data_dir);
  const from = config.backtest.from!;
  const to = config.backtest.to!;
  const out = new Map<string, CandleColumns>();
  for (const symbol of config.market.symbols) {
    const key: SeriesKey = { exchange: config.backtest.data_exchange, market: config.exchange.market, symbol, timeframe: config.market.timeframe };
    let missing = await store.missingRanges(key, from, to);
    // The same series stored under another exchange (e.g. an imported Binance CSV) is the usual
    // cause of "missing" data: say so at once instead of downloading (or retrying offline).
    const elsewhere = missing.length === 0 ? [] : (await store.list()).filter((k) => k.symbol === symbol && k.timeframe === key.timeframe && k.market === key.market && k.exchange !== key.exchange);
    if (missing.length > 0 && elsewhere.length === 0 && config.backtest.auto_download && key.exchange === 'bybit') {
      logger.info({ symbol, missing: missing.map((m) => [isoUtc(m.from), isoUtc(m.to)]) }, 'candles missing from the store: downloading them first');
      const { ensureCandles } = await import('../data/download/ensure-candles.ts');
      const { downloadDepsOf } = await import('./component-options.ts');
      await ensureCandles(key, from, to, downloadDepsOf(config, store, logger));
      missing = await store.missingRanges(key, from, to);
    }
    if (missing.length > 0) {
      const m = missing[0]!;
      const hint = elsewhere.length > 0 ? ` (the store has ${symbol} ${key.timeframe} from ${elsewhere.map((k) => k.exchange).join(', ')}: use --set backtest.data_exchange=${elsewhere[0]!.exchange})` : '';
      throw new CtError(
        'CT_ERR_DATA_MISSING',
        `${key.exchange} ${key.market} ${symbol} ${key.timeframe}: candles ${isoUtc(m.from)} .. ${isoUtc(m.to)} are not in ${config.general.data_dir}${hint}; ` +
          `run \`npx tsx main.ts data download --symbols ${symbol} --timeframe ${key.timeframe} --from ${isoUtc(from).slice(0, 10)} --market ${key.market}\` ` +
          `or \`npx tsx main.ts data import --csv FILE --symbol ${symbol} --timeframe ${key.timeframe} --exchange ${key.exchange} --market ${key.market}\``,
        { details: { symbol, from: m.from, to: m.to } },
      );
    }
    const cols = await store.read(key, from, to);
    if (cols.length === 0) {
      throw new CtError('CT_ERR_DATA_MISSING', `${key.exchange} ${key.market} ${symbol} ${key.timeframe}: no candles between ${isoUtc(from)} and ${isoUtc(to)}`, { details: { symbol } });
    }
    out.set(symbol, cols);
  }
  return out;
}

/** Funding history of each linear symbol over the run (undefined where none is stored). */
export async function loadFunding(config: Config, from: number, to: number): Promise<Map<string, { ts: Float64Array; rate: Float64Array } | undefined>> {
  const out = new Map<string, { ts: Float64Array; rate: Float64Array } | undefined>();
  if (config.exchange.market !== 'linear') return out;
  const store = new FundingStore(config.general.data_dir);
  for (const symbol of config.market.symbols) {
    const f = await store.read({ exchange: config.backtest.data_exchange, market: 'linear', symbol }, from, to);
    out.set(symbol, f.ts.length > 0 ? f : undefined);
  }
  return out;
}
