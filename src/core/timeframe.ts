import { CtError } from './errors.ts';

/** Supported candle timeframes and their length in ms. Bybit's interval code is in `bybitInterval`. */
export const TIMEFRAMES = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
} as const;

export type Timeframe = keyof typeof TIMEFRAMES;
export const TIMEFRAME_NAMES = Object.keys(TIMEFRAMES) as Timeframe[];

export function isTimeframe(s: string): s is Timeframe {
  return Object.prototype.hasOwnProperty.call(TIMEFRAMES, s);
}

export function parseTimeframe(s: string, where = 'timeframe'): Timeframe {
  if (!isTimeframe(s)) {
    throw new CtError('CT_ERR_TIMEFRAME_INVALID', `${where}: "${s}" is not a supported timeframe (allowed: ${TIMEFRAME_NAMES.join(', ')})`, {
      details: { where, value: s },
    });
  }
  return s;
}

export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAMES[tf];
}

/** Bybit v5 kline interval code for a timeframe (minutes, or D for a day). */
export function bybitInterval(tf: Timeframe): string {
  return tf === '1d' ? 'D' : String(TIMEFRAMES[tf] / 60_000);
}

/** Candles per year for annualising metrics (crypto trades 365 days a year, 24h a day). */
export function periodsPerYear(tf: Timeframe): number {
  return (365 * 86_400_000) / TIMEFRAMES[tf];
}
