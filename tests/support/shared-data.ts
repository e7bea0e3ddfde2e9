import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests/support/.. /..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The real Binance candles live in ../shared/data beside the repository (never copied into it);
 * CT_SHARED_DATA names another folder (a folder that does not exist = run as a clone without them).
 * Tests on them are `describe.skipIf(!HAS_SHARED_DATA)`: skipped, visibly, when they are absent.
 * The central promises are also tested on synthetic candles (./synthetic-store.ts), always.
 */
export const SHARED_DATA_DIR = process.env.CT_SHARED_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');
export const HAS_SHARED_DATA = existsSync(join(SHARED_DATA_DIR, 'BTCUSDT-1h.csv'));

if (!HAS_SHARED_DATA) {
  // Printed once per test file that imports this module, so a skipped suite is never silent.
  console.warn(`[tests] ../shared/data not found at ${SHARED_DATA_DIR}: tests on real market data are SKIPPED`);
}

export function sharedFile(name: string): string {
  return join(SHARED_DATA_DIR, name);
}

/** The spot 1h files and their ccxt symbols. */
export const SPOT_1H_FILES = [
  { file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' },
  { file: 'ETHUSDT-1h.csv', symbol: 'ETH/USDT' },
  { file: 'SOLUSDT-1h.csv', symbol: 'SOL/USDT' },
  { file: 'XRPUSDT-1h.csv', symbol: 'XRP/USDT' },
  { file: 'BNBUSDT-1h.csv', symbol: 'BNB/USDT' },
] as const;
