import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { FundingStore } from '../../../src/data/funding-store.ts';
import { downloadCandles } from '../../../src/data/download/download-candles.ts';
import { downloadFunding } from '../../../src/data/download/download-funding.ts';
import { ensureCandles } from '../../../src/data/download/ensure-candles.ts';
import { NO_PROGRESS, type ProgressSink } from '../../../src/data/download/progress.ts';
import { createBybitClient } from '../../../src/venues/bybit/ccxt-client.ts';
import { CtError } from '../../../src/core/errors.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import type { SeriesKey } from '../../../src/domain/instrument.ts';
import { FAST_RETRY, memoryLogger, tempDir } from './helpers.ts';

const H = 3_600_000;
const FROM = Date.UTC(2022, 0, 1);
// The fake exchange's "now": half-way through the 2024-03-01 00:00 candle, which is therefore still forming.
const NOW = Date.UTC(2024, 2, 1, 0, 30);
const FORMING = Date.UTC(2024, 2, 1, 0, 0);
const KEY: SeriesKey = { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', timeframe: '1h' };

/** Rows of `src` with ts in [from, to). */
function expectedSlice(src: CandleColumns, from: number, to: number): { ts: number[]; close: number[]; volume: number[] } {
  const out = { ts: [] as number[], close: [] as number[], volume: [] as number[] };
  for (let i = 0; i < src.length; i++) {
    if (src.ts[i]! >= from && src.ts[i]! < to) {
      out.ts.push(src.ts[i]!);
      out.close.push(src.close[i]!);
      out.volume.push(src.volume[i]!);
    }
  }
  return out;
}

function klineStarts(server: FakeBybitServer, fromIndex = 0): number[] {
  return server.requests.slice(fromIndex).filter((r) => r.path === '/v5/market/kline').map((r) => Number(r.query['start']));
}

describe.skipIf(!HAS_SHARED_DATA)('candle download from the fake Bybit (real BTCUSDT 1h)', () => {
  let server: FakeBybitServer;
  let btc: CandleColumns;

  beforeAll(async () => {
    btc = readCsvColumns(sharedFile('BTCUSDT-1h.csv'));
    server = await startFakeBybit({ now: NOW });
    server.addCandles('spot', 'BTCUSDT', H, btc);
  });
  afterAll(async () => server.close());

  const client = (): ReturnType<typeof createBybitClient> => createBybitClient({ restUrl: server.restUrl, enableRateLimit: false, timeoutMs: 5000 });

  it('resumes an interrupted 2-year download without re-fetching stored candles and never stores the forming candle', async () => {
    const tmp = tempDir('dl-resume');
    try {
      const store = new CandleStore(tmp.dir);
      const abort = new AbortController();
      // Interrupt after the 8th stored page, as a kill between pages would.
      const stopper: ProgressSink = { start() {}, stop() {}, update: (done) => { if (done >= 8) abort.abort(new Error('killed')); } };
      const before = server.requests.length;
      await expect(downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from: '2022-01-01' }, { store, client: client(), signal: abort.signal, progress: stopper, retry: FAST_RETRY })).rejects.toThrow('killed');
      const firstRun = klineStarts(server, before);
      expect(firstRun.length).toBe(8);
      const partial = await store.range(KEY);
      expect(partial).toBeDefined();
      expect(partial!.last).toBeLessThan(FORMING - 1000 * H);

      const mid = server.requests.length;
      const logger = memoryLogger();
      const summary = await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from: '2022-01-01' }, { store, client: client(), progress: NO_PROGRESS, logger, retry: FAST_RETRY });
      const secondRun = klineStarts(server, mid);
      expect(secondRun.length).toBeGreaterThan(0);
      // Never re-fetched: every request of the rerun starts after the last candle the first run stored.
      for (const start of secondRun) expect(start).toBeGreaterThan(partial!.last);
      expect(secondRun[0]).toBe(partial!.last + H);

      const all = await store.read(KEY, FROM - 10 * H, NOW + 10 * H);
      const want = expectedSlice(btc, FROM, FORMING);
      expect(all.length).toBe(want.ts.length);
      expect(Array.from(all.ts)).toEqual(want.ts);
      expect(Array.from(all.close)).toEqual(want.close);
      expect(Array.from(all.volume)).toEqual(want.volume);
      // The forming candle (open at FORMING) is not there; the last stored one is the one before it.
      expect(all.ts[all.length - 1]).toBe(FORMING - H);
      expect(summary.series[0]!.rowsStored).toBe(want.ts.length - partial!.rows);

      // A third run has nothing to fetch.
      const third = server.requests.length;
      await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from: '2022-01-01' }, { store, client: client(), progress: NO_PROGRESS, retry: FAST_RETRY });
      expect(klineStarts(server, third)).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it('survives rate limits (10006 and HTTP 403), 5xx replies and dropped connections with backoff', async () => {
    const tmp = tempDir('dl-faults');
    try {
      const store = new CandleStore(tmp.dir);
      const applied0 = { ...server.faults.applied };
      server.faults.next({ kind: 'rate_limit', count: 2, path: '/v5/market/kline' });
      server.faults.next({ kind: 'http_403', path: '/v5/market/kline' });
      server.faults.next({ kind: 'http_5xx', count: 2, path: '/v5/market/kline' });
      server.faults.next({ kind: 'drop_connection', path: '/v5/market/kline' });
      server.faults.next({ kind: 'http_5xx', path: '/v5/market/time' });
      const logger = memoryLogger();
      // Six faults in a row hit the first page: allow enough attempts to outlast them.
      await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-06-01', to: '2023-09-01' }, { store, client: client(), progress: NO_PROGRESS, logger, retry: { ...FAST_RETRY, attempts: 8 } });
      const got = await store.read(KEY, 0, NOW);
      const want = expectedSlice(btc, Date.UTC(2023, 5, 1), Date.UTC(2023, 8, 1));
      expect(Array.from(got.ts)).toEqual(want.ts);
      expect(Array.from(got.close)).toEqual(want.close);
      for (const k of ['rate_limit', 'http_403', 'http_5xx', 'drop_connection']) expect((server.faults.applied[k] ?? 0) - (applied0[k] ?? 0)).toBeGreaterThan(0);
      const codes = logger.lines.filter((l) => l.level === 'warn').map((l) => l.obj['code']);
      expect(codes).toContain('CT_ERR_EXCHANGE_RATE_LIMIT');
      expect(codes).toContain('CT_ERR_EXCHANGE_UNAVAILABLE');
    } finally {
      server.faults.clear();
      tmp.cleanup();
    }
  });

  it('gives up after the configured attempts, and ensureCandles then names the missing range and the fix command', async () => {
    const tmp = tempDir('dl-ensure');
    try {
      const store = new CandleStore(tmp.dir);
      const from = Date.UTC(2023, 0, 1);
      const to = Date.UTC(2023, 2, 1);
      server.faults.next({ kind: 'drop_connection', count: Infinity, path: '/v5/market/kline' });
      const err = await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from, to }, { store, client: client(), progress: NO_PROGRESS, retry: FAST_RETRY }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CtError);
      expect((err as CtError).code).toBe('CT_ERR_RETRIES_EXHAUSTED');

      const logger = memoryLogger();
      const missing = await ensureCandles(KEY, from, to, { store, client: client(), progress: NO_PROGRESS, logger, retry: FAST_RETRY }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(CtError);
      const line = (missing as CtError).toLine();
      expect((missing as CtError).code).toBe('CT_ERR_DATA_MISSING');
      expect(line).not.toContain('\n');
      expect(line).toContain('2023-01-01T00:00:00Z..2023-03-01T00:00:00Z');
      expect(line).toContain('cryptotrader data download --symbols BTC/USDT --timeframe 1h --from 2023-01-01T00:00:00Z --to 2023-03-01T00:00:00Z --market spot');
      expect(line).toContain('cryptotrader data import --csv FILE --symbol BTC/USDT --timeframe 1h');
      expect(logger.lines.some((l) => l.level === 'info' && l.msg.includes('auto-downloading'))).toBe(true);

      server.faults.clear();
      const ok = await ensureCandles(KEY, from, to, { store, client: client(), progress: NO_PROGRESS, retry: FAST_RETRY });
      expect(ok.downloaded).toEqual([{ from, to }]);
      expect(await store.missingRanges(KEY, from, to)).toEqual([]);
      expect((await ensureCandles(KEY, from, to, { store, client: client(), progress: NO_PROGRESS })).downloaded).toEqual([]);
    } finally {
      server.faults.clear();
      tmp.cleanup();
    }
  });

  it('rejects an unknown symbol with one clear CT_ERR_SYMBOL_INVALID line naming it', async () => {
    const tmp = tempDir('dl-badsym');
    try {
      const err = await downloadCandles({ symbols: ['DOGE/USDT'], timeframe: '1h', from: '2023-01-01' }, { store: new CandleStore(tmp.dir), client: client(), progress: NO_PROGRESS, retry: FAST_RETRY }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CtError);
      expect((err as CtError).code).toBe('CT_ERR_SYMBOL_INVALID');
      expect((err as CtError).toLine()).toContain('DOGE/USDT');
      expect((err as CtError).toLine()).not.toContain('\n');
    } finally {
      tmp.cleanup();
    }
  });

  it('rejects an interval the exchange refuses with CT_ERR_EXCHANGE_REJECTED naming the interval, and an unknown timeframe before any request', async () => {
    const tmp = tempDir('dl-badint');
    const picky = await startFakeBybit({ now: NOW, intervals: ['1', '5', '15', 'D'] });
    try {
      picky.addCandles('spot', 'BTCUSDT', H, btc);
      const c = createBybitClient({ restUrl: picky.restUrl, enableRateLimit: false });
      const err = await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from: '2023-01-01' }, { store: new CandleStore(tmp.dir), client: c, progress: NO_PROGRESS, retry: FAST_RETRY }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CtError);
      expect((err as CtError).code).toBe('CT_ERR_EXCHANGE_REJECTED');
      expect((err as CtError).message).toContain('interval 60');
      expect((err as CtError).message).toContain('BTC/USDT');
      // Rejections are final: exactly one kline request, no retries.
      expect(picky.requestsTo('/v5/market/kline').length).toBe(1);

      const before = picky.requests.length;
      const bad = await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '7h', from: '2023-01-01' }, { store: new CandleStore(tmp.dir), client: c, progress: NO_PROGRESS }).catch((e: unknown) => e);
      expect((bad as CtError).code).toBe('CT_ERR_TIMEFRAME_INVALID');
      expect((bad as CtError).message).toContain('7h');
      expect(picky.requests.length).toBe(before);
    } finally {
      await picky.close();
      tmp.cleanup();
    }
  });
});

function readFundingCsv(path: string): { ts: Float64Array; rate: Float64Array } {
  const lines = readFileSync(path, 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
  const ts = new Float64Array(lines.length);
  const rate = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const [t, r] = l.split(',');
    ts[i] = Number(t);
    rate[i] = Number(r);
  });
  return { ts, rate };
}

describe.skipIf(!HAS_SHARED_DATA)('funding history download from the fake Bybit (real BTCUSDT funding)', () => {
  it('downloads BTC/USDT:USDT funding into the funding store and resumes after the last stored record', async () => {
    const funding = readFundingCsv(sharedFile('BTCUSDT-funding-8h.csv'));
    const now = Date.UTC(2024, 0, 1, 3);
    const server = await startFakeBybit({ now });
    const tmp = tempDir('dl-funding');
    try {
      server.addFunding('BTCUSDT', funding);
      const fundingStore = new FundingStore(tmp.dir);
      const deps = { store: new CandleStore(tmp.dir), fundingStore, clientOptions: { restUrl: server.restUrl, enableRateLimit: false }, progress: NO_PROGRESS, retry: FAST_RETRY };
      const from = Date.UTC(2022, 6, 1);
      const first = await downloadFunding({ symbols: ['BTC/USDT:USDT'], from, to: Date.UTC(2023, 0, 1) }, deps);
      expect(first.series[0]!.rowsStored).toBeGreaterThan(500);
      const mid = server.requests.length;
      await downloadFunding({ symbols: ['BTC/USDT:USDT'], from }, deps);
      const inst = { exchange: 'bybit', market: 'linear' as const, symbol: 'BTC/USDT:USDT' };
      const got = await fundingStore.read(inst, 0, now + 1);
      const want = { ts: [] as number[], rate: [] as number[] };
      for (let i = 0; i < funding.ts.length; i++) {
        if (funding.ts[i]! >= from && funding.ts[i]! <= now) {
          want.ts.push(funding.ts[i]!);
          want.rate.push(funding.rate[i]!);
        }
      }
      expect(Array.from(got.ts)).toEqual(want.ts);
      expect(Array.from(got.rate)).toEqual(want.rate);
      // The resumed run asked only for records after the first run's last one.
      for (const r of server.requests.slice(mid).filter((q) => q.path === '/v5/market/funding/history')) {
        expect(Number(r.query['startTime'])).toBeGreaterThan(first.series[0]!.last!);
      }
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });
});
