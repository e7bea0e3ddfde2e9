import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { CtError } from '../../../src/core/errors.ts';
import { StrategyRunner } from '../../../src/strategies/runner.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import { SDK, T0, H, batchOf, candlesFromCloses, tempDir, writeStrategyFile } from './support.ts';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A test strategy whose onCandle body is given; it emits whatever ctx.state.plan says at a bar. */
function strategyFile(id: string, body: string, extra = ''): string {
  return writeStrategyFile(dir, id, `import { defineStrategy } from '${SDK}';
export default defineStrategy({
  schema: { id: '${id}', name: '${id}', version: '1.0.0', description: 'test', inputs: {} },
  ${extra}
  onCandle(ctx) { ${body} },
});
`);
}

async function runner(id: string, path: string, symbols = ['BTC/USDT'], market: MarketType = 'spot'): Promise<StrategyRunner> {
  return StrategyRunner.create({ instanceId: `${id}#1`, strategyId: id, source: { kind: 'file', path }, params: {}, symbols, timeframe: '1h', market });
}

const closes = [100, 101, 102, 103, 104, 105, 106, 107];

describe('StrategyRunner and signals', () => {
  it('emits frozen signals with deterministic ids and the decision candle ts', async () => {
    const p = strategyFile('emit_third', `if (ctx.bars() === 3) { ctx.signal({ kind: 'enter_long', reason: 'third bar', indicators: { b: 2, a: 1 } }); ctx.signal({ kind: 'target', targetExposure: 0.5, reason: 'trim' }); }`);
    const r = await runner('emit_third', p);
    const sigs = r.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) }));
    expect(sigs.map((s) => s.id)).toEqual([`emit_third#1:BTC/USDT:${T0 + 2 * H}:0`, `emit_third#1:BTC/USDT:${T0 + 2 * H}:1`]);
    const s = sigs[0]!;
    expect(s).toMatchObject({ strategyId: 'emit_third#1', symbol: 'BTC/USDT', ts: T0 + 2 * H, kind: 'enter_long', targetExposure: 1, confidence: 1 });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.indicators)).toBe(true);
    expect(() => { (s as { targetExposure: number }).targetExposure = -1; }).toThrow(TypeError);
    expect(Object.keys(s.indicators)).toEqual(['a', 'b']);
  });

  it('rejects an enter_short on spot as a contract error naming the strategy and field', async () => {
    const p = strategyFile('short_spot', `if (ctx.bars() === 2) ctx.signal({ kind: 'enter_short', reason: 'x' });`);
    const r = await runner('short_spot', p);
    let err: unknown;
    try { r.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) })); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(CtError);
    expect((err as CtError).code).toBe('CT_ERR_SIGNAL_INVALID');
    expect((err as CtError).message).toMatch(/strategy short_spot#1: signal\.kind = "enter_short" on BTC\/USDT.*long-only/);
  });

  it('allows shorts on linear but rejects a short stop below the price and exposure outside [-1, 1]', async () => {
    const ok = await runner('short_ok', strategyFile('short_ok', `if (ctx.bars() === 2) ctx.signal({ kind: 'enter_short', stop: 200, reason: 'x' });`), ['BTC/USDT:USDT'], 'linear');
    expect(ok.processBatch(batchOf({ 'BTC/USDT:USDT': candlesFromCloses(closes) }))[0]).toMatchObject({ kind: 'enter_short', targetExposure: -1, stop: 200 });
    const badStop = await runner('short_bad_stop', strategyFile('short_bad_stop', `if (ctx.bars() === 2) ctx.signal({ kind: 'enter_short', stop: 50, reason: 'x' });`), ['BTC/USDT:USDT'], 'linear');
    expect(() => badStop.processBatch(batchOf({ 'BTC/USDT:USDT': candlesFromCloses(closes) }))).toThrow(/signal\.stop = 50.*short stop must be above/);
    const badExp = await runner('bad_exposure', strategyFile('bad_exposure', `ctx.signal({ kind: 'target', targetExposure: 1.5, reason: 'x' });`));
    expect(() => badExp.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) }))).toThrow(/signal\.targetExposure = 1\.5/);
    const badSym = await runner('bad_symbol', strategyFile('bad_symbol', `ctx.signal({ symbol: 'ETH/USDT', kind: 'exit', reason: 'x' });`));
    expect(() => badSym.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) }))).toThrow(/signal\.symbol = ETH\/USDT.*not subscribed/);
  });

  it('wraps a handler exception as CT_ERR_STRATEGY_THREW naming instance, handler, symbol and candle ts', async () => {
    const r = await runner('thrower', strategyFile('thrower', `if (ctx.bars() === 4) throw new Error('boom');`));
    let err: CtError | undefined;
    try { r.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) })); } catch (e) { err = e as CtError; }
    expect(err?.code).toBe('CT_ERR_STRATEGY_THREW');
    expect(err?.message).toBe(`strategy thrower#1: onCandle threw on BTC/USDT at candle ${T0 + 3 * H}: boom`);
    expect(err?.details).toMatchObject({ instanceId: 'thrower#1', handler: 'onCandle', symbol: 'BTC/USDT', ts: T0 + 3 * H });
  });

  it('tracks the intended position and bars since entry/exit from its own signals', async () => {
    const p = strategyFile('pos_model', `
      const b = ctx.bars();
      ctx.log.info('book', { b, pos: ctx.position(), since_entry: ctx.barsSinceEntry(), since_exit: ctx.barsSinceExit() });
      if (b === 2) ctx.signal({ kind: 'enter_long', targetExposure: 0.5, reason: 'in' });
      if (b === 4) ctx.signal({ kind: 'target', targetExposure: 0.8, reason: 'add' });
      if (b === 6) ctx.signal({ kind: 'exit', reason: 'out' });`);
    const recs: Array<Record<string, unknown>> = [];
    const r = await StrategyRunner.create(
      { instanceId: 'pos_model', strategyId: 'pos_model', source: { kind: 'file', path: p }, params: {}, symbols: ['BTC/USDT'], timeframe: '1h', market: 'spot' },
      { log: (rec) => recs.push({ ...rec.fields, ts: rec.ts, symbol: rec.symbol }) },
    );
    r.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) }));
    // [bars, position, barsSinceEntry, barsSinceExit] seen BEFORE that bar's own signal.
    expect(recs.map((x) => [x.b, x.pos, x.since_entry, x.since_exit])).toEqual([
      [1, 0, -1, -1], [2, 0, -1, -1], [3, 0.5, 1, -1], [4, 0.5, 2, -1], [5, 0.8, 3, -1], [6, 0.8, 4, -1], [7, 0, -1, 1], [8, 0, -1, 2],
    ]);
    expect(recs[0]).toMatchObject({ ts: T0, symbol: 'BTC/USDT' });
  });

  it('never calls onCandle before the warm-up and keeps batch-split results identical', async () => {
    const p = strategyFile('warm', `ctx.signal({ kind: ctx.position() > 0 ? 'exit' : 'enter_long', reason: 'bar ' + ctx.bars(), indicators: { bars: ctx.bars() } });`, 'warmup: () => 5,');
    const a = await runner('warm', p);
    const all = a.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes) }));
    expect(all.map((s) => s.indicators.bars)).toEqual([5, 6, 7, 8]);
    const b = await runner('warm', p);
    const c = candlesFromCloses(closes);
    const split = [...b.processBatch(batchOf({ 'BTC/USDT': c.slice(0, 3) })), ...b.processBatch(batchOf({ 'BTC/USDT': c.slice(3, 6) })), ...b.processBatch(batchOf({ 'BTC/USDT': c.slice(6) }))];
    expect(JSON.stringify(split)).toBe(JSON.stringify(all));
    expect(a.warmup).toBe(5);
    expect(a.usesFills).toBe(false);
  });

  it('handles a symbol missing at a step: no onCandle for it, the other goes on', async () => {
    const p = strategyFile('gaps', `ctx.signal({ kind: ctx.position() > 0 ? 'exit' : 'enter_long', reason: ctx.symbol });`);
    const r = await runner('gaps', p, ['BTC/USDT', 'ETH/USDT']);
    const eth = candlesFromCloses(closes).filter((_, i) => i !== 3);
    const sigs = r.processBatch(batchOf({ 'ETH/USDT': eth, 'BTC/USDT': candlesFromCloses(closes) }));
    expect(sigs.filter((s) => s.symbol === 'BTC/USDT')).toHaveLength(8);
    expect(sigs.filter((s) => s.symbol === 'ETH/USDT').map((s) => s.ts)).not.toContain(T0 + 3 * H);
    // Within a step, calls follow the subscribed symbol order, not the batch row order.
    expect(sigs.slice(0, 2).map((s) => s.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });

  it('marks a strategy exporting onFill as usesFills and forbids signals from onFill', async () => {
    const p = strategyFile('filler', `if (ctx.bars() === 1) ctx.signal({ kind: 'enter_long', reason: 'x' });`, `onFill(ctx, fill) { ctx.signal({ kind: 'exit', reason: 'no' }); },`);
    const r = await runner('filler', p);
    expect(r.usesFills).toBe(true);
    r.processBatch(batchOf({ 'BTC/USDT': candlesFromCloses(closes.slice(0, 2)) }));
    expect(() => r.notifyFills([{ id: 'f1', orderId: 'o1', strategyId: 'filler#1', symbol: 'BTC/USDT', side: 'buy', qty: 1, price: 101, fee: 0, slippageCost: 0, ts: T0 + 2 * H, reason: 'signal' }]))
      .toThrow(/signals may only be emitted from onCandle and onFinish/);
  });
});
