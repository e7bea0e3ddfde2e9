/**
 * A Portfolio as plain data, for an account that continues in another process (a resumed forward
 * run), and the check of such data when it is read back: shape version, every field's type, and
 * that it fits the Portfolio it is restored into (same market, initial cash and strategies).
 */
import { StateReader } from '../../core/state-json.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { EquityMarksState } from './equity-marks.ts';
import { ledgerFromState, type PositionLedger } from './position-ledger.ts';
import { strategyLedgerFromState, type StrategyLedger } from './strategy-ledger.ts';

/** The cash, every sub-ledger and position ledger (open round trips included), the trade counter and the equity marks. */
export interface PortfolioState {
  readonly v: 1;
  readonly market: MarketType;
  readonly initialCash: number;
  readonly cash: number;
  readonly tradeSeq: number;
  /** In the Portfolio's strategy order. */
  readonly strategies: readonly StrategyLedger[];
  /** In the order they were created (the per-symbol lists are rebuilt in that order). */
  readonly ledgers: readonly PositionLedger[];
  readonly lastPrices: ReadonlyArray<{ readonly symbol: string; readonly price: number }>;
  readonly marks: EquityMarksState;
}

/** What a saved state must fit. */
export interface PortfolioShape {
  readonly market: MarketType;
  readonly initialCash: number;
  readonly strategyIds: readonly string[];
}

/** Reads and checks a saved Portfolio state (CT_ERR_ACCOUNT_STATE naming the field on any problem). */
export function readPortfolioState(state: unknown, want: PortfolioShape): PortfolioState {
  const r = new StateReader(state, 'portfolio').version(1);
  const market = r.str('market');
  if (market !== want.market) throw StateReader.bad(`${r.path}.market`, want.market, market);
  const initialCash = r.num('initialCash');
  if (initialCash !== want.initialCash) throw StateReader.bad(`${r.path}.initialCash`, String(want.initialCash), initialCash);
  const list = r.list('strategies');
  if (list.length !== want.strategyIds.length) throw StateReader.bad(`${r.path}.strategies`, `${want.strategyIds.length} strategies (${want.strategyIds.join(', ')})`, list.length);
  const strategies = list.map((s, i) => strategyLedgerFromState(s, want.strategyIds[i]!));
  const seen = new Set<string>();
  const ledgers = r.list('ledgers').map((x) => {
    const p = ledgerFromState(x);
    const key = `${p.strategyId}\u0000${p.symbol}`;
    if (!want.strategyIds.includes(p.strategyId)) throw StateReader.bad(`${x.path}.strategyId`, `one of ${want.strategyIds.join(', ')}`, p.strategyId);
    if (seen.has(key)) throw StateReader.bad(x.path, 'one ledger per strategy and symbol', `${p.strategyId} ${p.symbol} again`);
    seen.add(key);
    return p;
  });
  const lastPrices = r.list('lastPrices').map((p) => ({ symbol: p.str('symbol'), price: p.num('price') }));
  const marks = r.obj('marks').version(1);
  return {
    v: 1, market: want.market, initialCash, cash: r.num('cash'), tradeSeq: r.int('tradeSeq'), strategies, ledgers, lastPrices,
    marks: { v: 1, peak: marks.num('peak'), dayIndex: marks.num('dayIndex'), dayStart: marks.num('dayStart') },
  };
}
