import type { Config } from '../config/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateDb } from '../persistence/state-db.ts';
import { StrategyEventWriter } from '../persistence/strategy-events.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { startHostGroup } from '../workers/host-factory.ts';
import { hostOptionsOf, supervisorOptionsOf } from './component-options.ts';
import type { HostGroup } from '../workers/host-group.ts';
import type { SupervisorStatus } from '../workers/supervised-host.ts';

/**
 * Starts one host per strategy in the configured isolation, as the loop's StrategyHostsPort.
 * Backtests use plain hosts (a strategy failure fails the run with its error). Dry-run, forward
 * and live use supervised hosts: a strategy that throws, hangs or dies is restarted with capped
 * backoff and re-warmed from the loop's recent candles while the others go on; every fault and
 * restart is a `strategy_events` row when a run database is given.
 */
export async function startStrategyHosts(
  specs: readonly StrategySpec[],
  config: Config,
  logger: Logger,
  opts: { supervised: boolean; db?: StateDb; runId?: string; isolation?: Config['strategies']['isolation']; events?: StrategyEventWriter },
): Promise<HostGroup> {
  const log = logger.child({ component: 'strategy-hosts' });
  const hostOpts = hostOptionsOf(config, log, opts.isolation ?? config.strategies.isolation);
  if (!opts.supervised) return startHostGroup(specs, hostOpts);
  // One writer per run: its rows are numbered in arrival order (a hot reload records through it too).
  const events = opts.events ?? (opts.db && opts.runId ? new StrategyEventWriter(opts.db, opts.runId) : undefined);
  const onStatus = (s: SupervisorStatus): void => {
    try {
      events?.record({ instanceId: s.instanceId, kind: s.state, code: s.lastError?.code ?? null, message: s.lastError?.message ?? `state ${s.state}, restarts ${s.restarts}` });
    } catch (e) {
      // The supervisor calls this on its way to stopping or restarting a strategy: a row that
      // cannot be written (the database locked past its busy timeout) must not keep it from that.
      log.warn({ instanceId: s.instanceId, state: s.state, err: (e as Error).message }, `strategy ${s.instanceId}: could not record its ${s.state} event in the state database`);
    }
  };
  return startHostGroup(specs, hostOpts, { ...supervisorOptionsOf(config, log), onStatus });
}
