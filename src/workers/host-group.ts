/**
 * HostGroup: the strategy hosts of one candle loop. A batch goes to every host in parallel and
 * their Signals come back merged in ONE deterministic order:
 *
 *     (signal.ts, strategy index as configured, emission order within that strategy)
 *
 * which is exactly the order an inline loop produces when it runs, step by step, strategy 0 then
 * strategy 1 ... on each step. So the merged stream does not depend on which host answered first,
 * nor on the isolation mode, nor on how the candles were cut into batches.
 *
 * Failure policy: the group waits for every host to settle (no request is left dangling), then
 * rethrows the error of the FIRST failing host in strategy order (deterministic). Plain hosts
 * therefore fail the run (backtest); SupervisedStrategyHosts never reject (they skip and restart),
 * so a forward/live group goes on with the healthy strategies.
 *
 * The group IS the candle loop's StrategyHostsPort. When its hosts are supervised it also keeps
 * the loop's recent candles (`rewarm`), which a restarted strategy is replayed before it decides
 * again; host-factory.ts wires the two together.
 */
import { CtError } from '../core/errors.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { StrategyHostsPort } from '../engine/ports.ts';
import type { RecentCandles } from './recent-candles.ts';
import type { HostReady, StrategyHost } from './strategy-host.ts';
import { SupervisedStrategyHost } from './supervised-host.ts';

export interface GroupMember {
  readonly instanceId: string;
  readonly warmup: number;
  readonly usesFills: boolean;
}

export class HostGroup implements StrategyHostsPort {
  private readonly ready: HostReady[] = [];
  private started = false;

  /**
   * `hosts` in configured strategy order: the order is part of the merge key. `rewarm`, when
   * given, receives every batch before the hosts do (see RecentCandles).
   */
  constructor(
    readonly hosts: readonly StrategyHost[],
    private readonly rewarm?: RecentCandles,
  ) {
    const seen = new Set<string>();
    for (const h of hosts) {
      if (seen.has(h.instanceId)) throw new CtError('CT_ERR_INTERNAL', `HostGroup: instance id "${h.instanceId}" appears twice`);
      seen.add(h.instanceId);
    }
  }

  /** Starts every host in parallel; if any fails, stops the others and throws the first error (strategy order). */
  async start(): Promise<GroupMember[]> {
    const results = await Promise.allSettled(this.hosts.map((h) => h.start()));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      await this.stop();
      throw (results[failed] as PromiseRejectedResult).reason;
    }
    for (const r of results) this.ready.push((r as PromiseFulfilledResult<HostReady>).value);
    this.started = true;
    return this.members();
  }

  members(): GroupMember[] {
    return this.hosts.map((h, i) => ({ instanceId: h.instanceId, warmup: this.ready[i]?.warmup ?? 0, usesFills: this.ready[i]?.usesFills ?? false }));
  }

  /** True when any strategy exports onFill: the loop must then drive the group in lock-step (one step per batch). */
  get usesFills(): boolean {
    return this.ready.some((r) => r.usesFills);
  }

  /** Largest warm-up of the group (candles per symbol). */
  get warmup(): number {
    return this.ready.reduce((m, r) => Math.max(m, r.warmup), 0);
  }

  /** Sends the batch to all hosts in parallel; Signals merged by (ts, strategy index, emission order). */
  async processBatch(batch: CandleBatch): Promise<Signal[]> {
    this.requireStarted('processBatch');
    this.rewarm?.push(batch);
    return mergeSignals(await this.settleAll((h) => h.processBatch(batch)));
  }

  /** Resolves when every batch sent so far has left this process, for every host. */
  async written(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.written?.()));
  }

  /** Calls finish on all hosts; Signals merged like processBatch. */
  async finish(): Promise<Signal[]> {
    this.requireStarted('finish');
    return mergeSignals(await this.settleAll((h) => h.finish()));
  }

  /**
   * Routes fills to the instance that owns them (`fill.strategyId` is the instance id the signal
   * came from), preserving their order; hosts without fills or without onFill are not called.
   */
  async notifyFills(fills: readonly Fill[]): Promise<void> {
    this.requireStarted('notifyFills');
    const byInstance = new Map<string, Fill[]>();
    for (const f of fills) {
      let list = byInstance.get(f.strategyId);
      if (!list) byInstance.set(f.strategyId, (list = []));
      list.push(f);
    }
    await this.settleAll((h, i) => {
      const mine = byInstance.get(h.instanceId);
      return mine && this.ready[i]?.usesFills ? h.notifyFills(mine) : Promise.resolve();
    });
  }

  /** Stops every host in parallel (graceful, with acknowledgement; each host logs how it ended); never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.hosts.map((h) => h.stop()));
  }

  /** OS pid of each instance's guest process (undefined for worker and inline isolation). */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.hosts.map((h) => [h.instanceId, h.pid]));
  }

  /** Restarts so far per instance (always 0 for hosts that are not supervised). */
  restarts(): Record<string, number> {
    return Object.fromEntries(this.hosts.map((h) => [h.instanceId, h instanceof SupervisedStrategyHost ? h.status().restarts : 0]));
  }

  private async settleAll<T>(fn: (h: StrategyHost, i: number) => Promise<T>): Promise<T[]> {
    const results = await Promise.allSettled(this.hosts.map((h, i) => fn(h, i)));
    const out: T[] = [];
    for (const r of results) {
      if (r.status === 'rejected') throw r.reason;
      out.push(r.value);
    }
    return out;
  }

  private requireStarted(what: string): void {
    if (!this.started) throw new CtError('CT_ERR_INTERNAL', `HostGroup.${what} called before start()`);
  }
}

/**
 * Merges per-strategy signal lists (index = strategy order) into one list ordered by
 * (ts, strategy index, emission order). Each list is already in emission order.
 */
export function mergeSignals(perStrategy: readonly (readonly Signal[])[]): Signal[] {
  if (perStrategy.length === 1) return [...perStrategy[0]!];
  const keyed: Array<{ s: Signal; k: number; seq: number }> = [];
  for (let k = 0; k < perStrategy.length; k++) {
    const list = perStrategy[k]!;
    for (let seq = 0; seq < list.length; seq++) keyed.push({ s: list[seq]!, k, seq });
  }
  keyed.sort((a, b) => a.s.ts - b.s.ts || a.k - b.k || a.seq - b.seq);
  return keyed.map((x) => x.s);
}
