/**
 * The one place where the `[strategies]` config keys become host and supervisor options, so the
 * names in config.ini, docs/protocol.md and the code stay in step.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { StrategyHostOptions } from './strategy-host.ts';
import type { SupervisorOptions } from './supervised-host.ts';

type StrategiesSection = Config['strategies'];

/** Host options from `[strategies]`; `isolation` may be overridden (e.g. inline for a fast backtest). */
export function hostOptionsFromConfig(s: StrategiesSection, logger: Logger, isolation = s.isolation): StrategyHostOptions {
  return {
    isolation,
    heartbeatMs: s.heartbeat_ms,
    heartbeatMissLimit: s.heartbeat_miss_limit,
    requestTimeoutMs: s.request_timeout_ms,
    shutdownTimeoutMs: s.shutdown_timeout_ms,
    logger,
  };
}

/** Supervisor options (forward/live/dry-run) from `[strategies]`; the re-warm buffer is the host group's. */
export function supervisorOptionsFromConfig(s: StrategiesSection, logger: Logger): SupervisorOptions {
  return {
    restartBaseMs: s.restart_base_ms,
    restartCapMs: s.restart_cap_ms,
    maxRestarts: s.max_restarts,
    logger,
  };
}
