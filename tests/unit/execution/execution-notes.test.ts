import { describe, expect, it } from 'vitest';
import { releasesReservation, type ExecutionNoteKind } from '../../../src/domain/execution-note.ts';
import { settleExecutionNotes } from '../../../src/engine/candle-loop.ts';
import { approvedOrders, fillOrder, rig, sig } from '../risk/gate-helpers.ts';
import { candle, sim, SYM } from './sim-helpers.ts';

describe('execution notes and risk reservations', () => {
  it('releases the reservation of an order dropped, cancelled or refused by the exchange without a fill, never of a clamped one (it still fills)', () => {
    const expected: Record<ExecutionNoteKind, boolean> = {
      dropped_nothing_to_reduce: true,
      cancelled: true,
      rejected: true,
      clamped_reduce_only: false,
      clamped_spot_long_only: false,
    };
    for (const [kind, releases] of Object.entries(expected)) expect(releasesReservation({ kind: kind as ExecutionNoteKind }), kind).toBe(releases);
  });

  /** The loop's own note handling (record every note, release what ended without a fill); returns the kinds recorded. */
  const applyNotes = (exec: ReturnType<typeof sim>, gate: ReturnType<typeof rig>['gate']): string[] => {
    const kinds: string[] = [];
    settleExecutionNotes(exec, gate, { executionNote: (n) => kinds.push(n.kind) });
    return kinds;
  };

  it('frees the reservation of a pending order cancelled at the end of a run', () => {
    const r = rig({}, { strategies: ['a'] });
    const exec = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    exec.onCandle(SYM, c0);
    r.gate.onStep(c0.ts);
    for (const o of approvedOrders(r.gate.evaluate(sig('a', SYM, 'enter_long', 1, c0.ts), { price: 100 }))) exec.submit(o, { candle: c0 });
    expect(r.gate.pendingOrders).toBe(1);
    exec.closeAll(new Map([[SYM, c0]]));
    expect(applyNotes(exec, r.gate)).toEqual(['cancelled']);
    expect(r.gate.pendingOrders).toBe(0);
  });

  it('frees the reservation of a reduce-only order execution dropped because it had nothing to reduce', () => {
    const r = rig({}, { strategies: ['a'] });
    const exec = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    exec.onCandle(SYM, c0);
    r.gate.onStep(c0.ts);
    // The account holds a position the adapter does not (as when an exchange closed it on its own).
    const entry = approvedOrders(r.gate.evaluate(sig('a', SYM, 'enter_long', 1, c0.ts), { price: 100 }))[0]!;
    fillOrder(r, entry, 100, c0.ts);
    const exit = approvedOrders(r.gate.evaluate(sig('a', SYM, 'exit', 0, c0.ts), { price: 100 }));
    expect(exit.map((o) => o.reduceOnly)).toEqual([true]);
    for (const o of exit) exec.submit(o, { candle: c0 });
    expect(r.gate.pendingOrders).toBe(1);
    expect(exec.onCandle(SYM, candle(1, 100, 101, 99, 100)).fills).toEqual([]);
    expect(applyNotes(exec, r.gate)).toEqual(['dropped_nothing_to_reduce']);
    expect(r.gate.pendingOrders).toBe(0);
  });
});
