/**
 * priceChartSection: the candles of each symbol with ONE marker per fill (side, size, and the
 * trade's net PnL on the fill that closes it), dashed stop and target segments from entry to exit
 * for trades that had them, and the trades behind the hover tooltip (entry, exit, MAE, MFE,
 * duration). Drawn by the 'price-chart' initialiser of client-runtime.ts.
 *
 * Marker times: a fill's time is the open of the candle it happened on, so it sits on a bar; a
 * fill between bars (not produced by the simulator, but possible from other sources) is drawn on
 * the last bar at or before it, never dropped: the page shows exactly as many markers as fills.
 */
import type { CandleColumns } from '../../domain/candle.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { encodeTimes, packValues, roundSig } from './compact-series.ts';
import { escapeHtml } from './escape.ts';
import { sectionId, type ReportSection } from './sections.ts';

/** Stop and take-profit price of a trade (from its entry order), by trade id. */
export type TradeLevels = ReadonlyMap<string, { readonly stop?: number | undefined; readonly takeProfit?: number | undefined }>;

export interface PriceChartInput {
  readonly id: string;
  readonly title: string;
  readonly candles: ReadonlyMap<string, CandleColumns>;
  readonly fills: readonly Fill[];
  readonly trades: readonly Trade[];
  readonly levels?: TradeLevels;
  readonly syncGroup?: string;
  readonly height?: number;
}

type Marker = [time: number, side: 1 | -1, text: string, trade: number];
/** Lane points: [time, level] or [time, level, 1] = the line after this point is not drawn. */
type Lane = { kind: 'stop' | 'target'; freeFrom: number; pts: ([number, number] | [number, number, 1])[] };

export function priceChartSection(o: PriceChartInput): ReportSection {
  const symbols = [...o.candles.keys()].sort();
  const symIndex = new Map(symbols.map((s, i) => [s, i] as const));
  const tradeByEntry = new Map<string, number>();
  const tradeByExit = new Map<string, number>();
  o.trades.forEach((t, i) => {
    const k = `${t.strategyId}|${t.symbol}`;
    if (!tradeByEntry.has(`${k}|${t.entryTs}`)) tradeByEntry.set(`${k}|${t.entryTs}`, i);
    tradeByExit.set(`${k}|${t.exitTs}`, i);
  });

  const markers = new Map<string, Marker[]>(symbols.map((s) => [s, []]));
  const position = new Map<string, number>();
  for (const f of o.fills) {
    const c = o.candles.get(f.symbol);
    const list = markers.get(f.symbol);
    if (c === undefined || list === undefined || c.length === 0) continue;
    const key = `${f.strategyId}|${f.symbol}`;
    const held = position.get(key) ?? 0;
    const signed = f.side === 'buy' ? f.qty : -f.qty;
    const closing = held !== 0 && Math.sign(signed) !== Math.sign(held);
    position.set(key, held + signed);
    const tradeIdx = closing ? tradeByExit.get(`${key}|${f.ts}`) : tradeByEntry.get(`${key}|${f.ts}`);
    const trade = tradeIdx !== undefined ? o.trades[tradeIdx] : undefined;
    const pnl = closing && trade !== undefined ? ` ${trade.netPnl >= 0 ? '+' : ''}${trade.netPnl.toFixed(2)}` : '';
    const bar = c.ts[barAtOrBefore(c, f.ts)]!;
    list.push([Math.floor(bar / 1000), f.side === 'buy' ? 1 : -1, `${f.side === 'buy' ? 'B' : 'S'} ${fmtQty(f.qty)}${pnl}`, tradeIdx ?? -1]);
  }

  const lanes = new Map<string, Lane[]>(symbols.map((s) => [s, []]));
  o.trades.forEach((t) => {
    const lv = o.levels?.get(t.id);
    const c = o.candles.get(t.symbol);
    if (lv === undefined || c === undefined || c.length === 0) return;
    const ei = barAtOrBefore(c, t.entryTs);
    const xi = barAtOrBefore(c, t.exitTs);
    for (const [kind, level] of [['stop', lv.stop], ['target', lv.takeProfit]] as const) {
      if (level === undefined || !Number.isFinite(level)) continue;
      placeSegment(lanes.get(t.symbol)!, kind, c, ei, xi, roundSig(level)!);
    }
  });

  const data = {
    group: o.syncGroup ?? null,
    height: o.height ?? 460,
    step: stepSeconds(o.candles),
    symbols: symbols.map((s) => {
      const c = o.candles.get(s)!;
      const n = c.length;
      return {
        symbol: s,
        t: encodeTimes(c.ts.subarray(0, n)),
        o: packValues(c.open.subarray(0, n)),
        h: packValues(c.high.subarray(0, n)),
        l: packValues(c.low.subarray(0, n)),
        c: packValues(c.close.subarray(0, n)),
        markers: markers.get(s)!.sort((a, b) => a[0] - b[0]),
        lines: lanes.get(s)!.map((l) => ({ kind: l.kind, pts: l.pts })),
      };
    }),
    trades: o.trades.map((t) => {
      const lv = o.levels?.get(t.id);
      const notional = t.entryPrice * t.qty;
      return {
        s: symIndex.get(t.symbol) ?? -1, id: t.id, strat: t.strategyId, dir: t.direction,
        et: Math.floor(t.entryTs / 1000), xt: Math.floor(t.exitTs / 1000),
        ep: roundSig(t.entryPrice), xp: roundSig(t.exitPrice), q: roundSig(t.qty), pnl: roundSig(t.netPnl),
        ret: notional > 0 ? roundSig(t.netPnl / notional, 5) : null, mae: roundSig(t.mae, 5), mfe: roundSig(t.mfe, 5),
        bars: t.bars, x: t.exitReason, stop: lv?.stop !== undefined ? roundSig(lv.stop) : null, tp: lv?.takeProfit !== undefined ? roundSig(lv.takeProfit) : null,
      };
    }),
  };
  const select = symbols.length > 1
    ? `<div class="ct-toolbar">Symbol <select class="ct-symbol">${symbols.map((s) => `<option value="${escapeHtml(s)}">${escapeHtml(s)}</option>`).join('')}</select></div>`
    : '';
  return {
    id: sectionId(o.id),
    title: o.title,
    kind: 'price-chart',
    data,
    html:
      `${select}<div class="ct-chart"></div><div class="ct-tooltip"></div>` +
      '<p class="ct-caption">Arrows: one per fill (B buy / S sell, size; the closing fill shows the trade\'s net PnL; labels appear when zoomed in to 400 bars or fewer). Dashed lines: a trade\'s stop (red) and target (green) from entry to exit. Hover a trade for its details; click a row of the trades table to go to it.</p>',
  };
}

/** Index of the last candle with open time <= ts (0 when ts is before the first). */
export function barAtOrBefore(c: CandleColumns, ts: number): number {
  let lo = 0, hi = c.length - 1;
  if (hi < 0 || ts < c.ts[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.ts[mid]! <= ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * One dashed segment per trade and level. A line series draws one continuous line (lightweight-
 * charts skips whitespace points instead of breaking the line), and a point's colour is the
 * colour of the line from it to the next point: so a segment's last point is transparent, which
 * hides the join to the next segment. Segments are packed into lanes (one series each) where they
 * do not overlap. Every point sits on a candle's time: nothing adds bars to the time axis.
 */
function placeSegment(lanes: Lane[], kind: Lane['kind'], c: CandleColumns, ei: number, xi: number, level: number): void {
  let lane = lanes.find((l) => l.kind === kind && l.freeFrom <= ei);
  if (lane === undefined) {
    lane = { kind, freeFrom: 0, pts: [] };
    lanes.push(lane);
  }
  const sec = (i: number): number => Math.floor(c.ts[i]! / 1000);
  if (xi > ei) lane.pts.push([sec(ei), level]);
  lane.pts.push([sec(xi), level, 1]);
  lane.freeFrom = xi + 1;
}

/** The most common spacing of the first symbol's candles, in seconds (3600 for 1h). */
function stepSeconds(candles: ReadonlyMap<string, CandleColumns>): number {
  for (const c of candles.values()) if (c.length > 1) return Math.max(1, Math.round((c.ts[1]! - c.ts[0]!) / 1000));
  return 3600;
}

function fmtQty(q: number): string {
  return String(roundSig(q, 4));
}
