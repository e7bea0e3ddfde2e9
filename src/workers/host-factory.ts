/**
 * Builds strategy hosts: one for a spec in the asked isolation (createStrategyHost), or the whole
 * group of a run (startHostGroup), plain for a backtest or supervised for dry-run/forward/live.
 */
import { silentLogger } from '../observability/logger.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { HostGroup } from './host-group.ts';
import { InlineStrategyHost } from './inline-host.ts';
import { RecentCandles } from './recent-candles.ts';
import { RemoteStrategyHost } from './remote-host.ts';
import type { ResolvedHostOptions, StrategyHost, StrategyHostOptions } from './strategy-host.ts';
import { SupervisedStrategyHost, type SupervisorOptions } from './supervised-host.ts';

export function resolveHostOptions(o: StrategyHostOptions): ResolvedHostOptions {
  return {
    isolation: o.isolation,
    heartbeatMs: o.heartbeatMs ?? 1000,
    heartbeatMissLimit: o.heartbeatMissLimit ?? 5,
    requestTimeoutMs: o.requestTimeoutMs ?? 120_000,
    startTimeoutMs: o.startTimeoutMs ?? 30_000,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 3000,
    maxMemoryMb: o.maxMemoryMb ?? 1024,
    logger: o.logger ?? silentLogger(),
    runnerOptions: { ...(o.runnerOptions ?? {}) },
  };
}

/** Creates (does not start) a host for one strategy instance. */
export function createStrategyHost(spec: StrategySpec, options: StrategyHostOptions): StrategyHost {
  const o = resolveHostOptions(options);
  return o.isolation === 'inline' ? new InlineStrategyHost(spec, o) : new RemoteStrategyHost(spec, o);
}

/** Fewest candles (per symbol) kept for re-warming a restarted strategy, and the multiple of the largest warm-up. */
const REWARM_MIN_CANDLES = 500;
const REWARM_WARMUP_MULTIPLE = 3;

/**
 * Creates and starts one host per spec (in the given order: the merge order of their Signals).
 * With `supervision`, every host is a SupervisedStrategyHost and the group keeps its recent
 * candles (max(500, 3 x the largest warm-up) per symbol), which is what a restarted strategy is
 * re-warmed from.
 */
export async function startHostGroup(
  specs: readonly StrategySpec[],
  host: StrategyHostOptions,
  supervision?: Omit<SupervisorOptions, 'warmupProvider'>,
): Promise<HostGroup> {
  const rewarm = supervision ? new RecentCandles(REWARM_MIN_CANDLES) : undefined;
  const hosts = specs.map((spec) =>
    supervision ? new SupervisedStrategyHost(() => createStrategyHost(spec, host), { ...supervision, warmupProvider: () => rewarm!.batch() }) : createStrategyHost(spec, host),
  );
  const group = new HostGroup(hosts, rewarm);
  await group.start();
  const symbols = Math.max(1, specs[0]?.symbols.length ?? 1);
  rewarm?.setCapacity(Math.max(REWARM_MIN_CANDLES, REWARM_WARMUP_MULTIPLE * group.warmup) * symbols);
  return group;
}
