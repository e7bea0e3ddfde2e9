/**
 * FundingStore: funding-rate history (ts = funding time in UTC ms, rate = fraction per interval,
 * e.g. 0.0001 = 0.01 %) of linear perpetuals, one Parquet file per UTC month under
 * `<dataDir>/<exchange>/linear/<slug>/funding/`. Same atomic, merge-on-write rules as the
 * candle store (new value wins on the same ts). Funding times are NOT forced onto a grid:
 * intervals change per symbol over time (8h -> 4h -> 1h) and raw exchange times can carry ms jitter.
 */
import { CtError } from '../core/errors.ts';
import type { Instrument } from '../domain/instrument.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FUNDING_DIR, fundingDir, symbolFromSlug } from './layout.ts';
import type { SeriesRange } from './monthly-files.ts';
import { listMonths, readRange, seriesRange, writeMonthsMerged } from './monthly-files.ts';
import type { ParquetColumnSpec } from './parquet-io.ts';

export const FUNDING_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'ts', kind: 'timestamp_ms' },
  { name: 'rate', kind: 'double' },
];

export interface FundingSeries {
  readonly ts: Float64Array;
  readonly rate: Float64Array;
}

function label(inst: Instrument): string {
  return `${inst.exchange}/${inst.market}/${inst.symbol}/funding`;
}

/** Reason a funding row is invalid, or undefined. */
export function fundingProblem(ts: number, rate: number, prevTs: number): string | undefined {
  if (!Number.isFinite(ts) || !Number.isInteger(ts)) return `ts ${ts} is not an integer epoch ms`;
  if (!Number.isFinite(rate)) return `rate is not a finite number (${rate})`;
  if (Math.abs(rate) >= 1) return `rate ${rate} is not a per-interval fraction (|rate| >= 1)`;
  if (ts <= prevTs) return `ts ${ts} is not after the previous funding time ${prevTs}: duplicate or out of order`;
  return undefined;
}

export class FundingStore {
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(readonly dataDir: string) {}

  dirOf(inst: Instrument): string {
    if (inst.market !== 'linear') {
      throw new CtError('CT_ERR_SYMBOL_INVALID', `${label(inst)}: funding is stored for linear perpetuals only (market "${inst.market}")`, {
        details: { symbol: inst.symbol, market: inst.market },
      });
    }
    return fundingDir(this.dataDir, inst);
  }

  /** Stores funding events (ascending ts). Invalid input is refused as a whole with CT_ERR_FUNDING_INVALID. */
  async write(inst: Instrument, ts: Float64Array, rate: Float64Array): Promise<{ rowsWritten: number; months: string[] }> {
    const dir = this.dirOf(inst);
    if (ts.length !== rate.length) {
      throw new CtError('CT_ERR_INTERNAL', `${label(inst)}: ts (${ts.length}) and rate (${rate.length}) lengths differ`);
    }
    for (let i = 0; i < ts.length; i++) {
      const reason = fundingProblem(ts[i]!, rate[i]!, i > 0 ? ts[i - 1]! : -Infinity);
      if (reason !== undefined) {
        throw new CtError('CT_ERR_FUNDING_INVALID', `${label(inst)}: funding row ${i} refused: ${reason}`, {
          details: { series: label(inst), index: i, reason },
        });
      }
    }
    const run = async (): Promise<{ rowsWritten: number; months: string[] }> => {
      const months = await writeMonthsMerged(dir, FUNDING_COLUMNS, { length: ts.length, columns: [ts, rate] });
      return { rowsWritten: ts.length, months };
    };
    const result = this.writeChain.then(run, run);
    this.writeChain = result.catch(() => undefined);
    return await result;
  }

  /** Funding events with fromMs <= ts < toMs, ascending. */
  async read(inst: Instrument, fromMs: number, toMs: number): Promise<FundingSeries> {
    const s = await readRange(this.dirOf(inst), FUNDING_COLUMNS, fromMs, toMs);
    return { ts: s.columns[0]!, rate: s.columns[1]! };
  }

  async range(inst: Instrument): Promise<SeriesRange | undefined> {
    return seriesRange(this.dirOf(inst), FUNDING_COLUMNS);
  }

  /** Every linear instrument with stored funding, sorted by exchange then symbol. */
  list(): Instrument[] {
    const out: Instrument[] = [];
    const dirs = (d: string): string[] => {
      try {
        return readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      } catch {
        return [];
      }
    };
    for (const exchange of dirs(this.dataDir)) {
      for (const slug of dirs(join(this.dataDir, exchange, 'linear'))) {
        const symbol = symbolFromSlug(slug, 'linear');
        if (symbol === undefined) continue;
        if (listMonths(join(this.dataDir, exchange, 'linear', slug, FUNDING_DIR)).length > 0) out.push({ exchange, market: 'linear', symbol });
      }
    }
    return out;
  }

  has(inst: Instrument): boolean {
    return inst.market === 'linear' && listMonths(fundingDir(this.dataDir, inst)).length > 0;
  }
}
