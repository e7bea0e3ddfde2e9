import type { Config } from '../config/schema.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateDb } from '../persistence/state-db.ts';
import { HostGroup } from '../workers/host-group.ts';
import { hostOptionsFromConfig, supervisorOptionsFromConfig } from '../workers/host-config.ts';
import { createStrategyHost, type StrategyHost } from '../workers/strategy-host.ts';
import { SupervisedStrategyHost, type SupervisorStatus } from '../workers/supervised-host.ts';
import type { StrategySpec } from '../strategies/runner.ts';
import { RecentCandles } from '../workers/recent-candles.ts';

/** The strategy hosts of one run, as the candle loop sees them. */
export interface RunningHosts {
  readonly usesFills: boolean;
  /** Largest warm-up (candles per symbol) the strategies declared. */
  readonly warmup: number;
  processBatch(batch: CandleBatch): Promise<Signal[]>;
  notifyFills(fills: readonly Fill[]): Promise<void>;
  finish(): Promise<Signal[]>;
  stop(): Promise<void>;
  pids(): Record<string, number | undefined>;
  restarts(): Record<string, number>;
}

/**
 * Starts one host per strategy in the configured isolation. Backtests use plain hosts (a strategy
 * failure fails the run with its error). Dry-run, forward and live use supervised hosts: a
 * strategy that throws, hangs or dies is restarted with capped backoff and re-warmed from the
 * loop's recent candles while the others go on; every fault and restart is a `strategy_events` row.
 */
export async function startStrategyHosts(
  specs: readonly StrategySpec[],
  config: Config,
  logger: Logger,
  opts: { supervised: boolean; db?: StateDb; runId?: string; isolation?: Config['strategies']['isolation'] },
): Promise<RunningHosts> {
  const log = logger.child({ component: 'strategy-hosts' });
  const hostOpts = hostOptionsFromConfig(config.strategies, log, opts.isolation ?? config.strategies.isolation);
  const recent = new RecentCandles(2000);
  let seq = 0;
  const recordEvent = (s: SupervisorStatus): void => {
    if (!opts.db || !opts.runId) return;
    const err = s.lastError as { code?: string; message?: string } | undefined;
    opts.db.prepare(`INSERT INTO strategy_events VALUES (?,?,?,?,?,?)`).run(opts.runId, seq++, s.instanceId, s.state, err?.code ?? null, err?.message ?? `state ${s.state}, restarts ${s.restarts}`);
  };
  const hosts: StrategyHost[] = specs.map((spec) =>
    opts.supervised
      ? new SupervisedStrategyHost(() => createStrategyHost(spec, hostOpts), {
          ...supervisorOptionsFromConfig(config.strategies, log, () => recent.batch()),
          onStatus: recordEvent,
        })
      : createStrategyHost(spec, hostOpts),
  );
  const group = new HostGroup(hosts);
  const members = await group.start();
  recent.setCapacity(Math.max(500, 3 * Math.max(0, ...members.map((m) => m.warmup))) * Math.max(1, specs[0]?.symbols.length ?? 1));
  return {
    get usesFills() {
      return group.usesFills;
    },
    get warmup() {
      return group.warmup;
    },
    async processBatch(batch) {
      if (opts.supervised) recent.push(batch);
      return group.processBatch(batch);
    },
    notifyFills: (fills) => group.notifyFills(fills),
    finish: () => group.finish(),
    stop: async () => {
      await group.stop();
    },
    pids: () => Object.fromEntries(hosts.map((h) => [h.instanceId, h.pid])),
    restarts: () => Object.fromEntries(hosts.map((h) => [h.instanceId, h instanceof SupervisedStrategyHost ? h.status().restarts : 0])),
  };
}
