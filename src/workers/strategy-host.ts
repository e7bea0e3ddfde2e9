/**
 * StrategyHost: how the candle loop drives one strategy instance, whatever its isolation.
 *
 *  - process (default for forward/live/dry-run): a child process per instance; a crash, a hang or
 *    a memory blow-up of user code cannot touch the daemon.
 *  - worker: a worker thread per instance; cheaper to start, same protocol, shares the process.
 *  - inline: the runner in the calling thread; fastest, for backtests only (no hang detection,
 *    a crash is the daemon's crash).
 *
 * All three produce the same Signals for the same batches (tests/integration/workers prove it),
 * so the isolation mode is a deployment choice, never a results choice.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../observability/logger.ts';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { Isolation } from './guest-channel.ts';
import { InlineStrategyHost } from './inline-host.ts';
import { RemoteStrategyHost } from './remote-host.ts';
import { DEFAULT_RUNNER_MODULE } from './runner-loader.ts';
import type { RunnerCreateOptions, StrategySpec } from './strategy-spec.ts';

export type { Isolation } from './guest-channel.ts';

/** What the guest reported in its `ready` handshake. */
export interface HostReady {
  readonly warmup: number;
  readonly usesFills: boolean;
}

/** How a stop ended: the guest acknowledged `shutdown` (graceful) or had to be killed. */
export interface StopReport {
  readonly acknowledged: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface StrategyHost {
  readonly instanceId: string;
  readonly isolation: Isolation;
  /** OS pid of the guest process (process isolation, after start). */
  readonly pid?: number;
  /** Spawns/creates the runner and waits for its `ready` handshake. */
  start(): Promise<HostReady>;
  /** Runs the strategy over a batch; resolves with the Signals in emission order. */
  processBatch(batch: CandleBatch): Promise<Signal[]>;
  notifyFills(fills: readonly Fill[]): Promise<void>;
  finish(): Promise<Signal[]>;
  /** Graceful shutdown with acknowledgement; kills after shutdownTimeoutMs. Safe to call twice. */
  stop(): Promise<StopReport>;
}

export interface StrategyHostOptions {
  readonly isolation: Isolation;
  /** Guest heartbeat period (config strategies.heartbeat_ms). Default 1000. */
  readonly heartbeatMs?: number;
  /** Missed heartbeats before the guest is declared hung and killed (strategies.heartbeat_miss_limit). Default 5. */
  readonly heartbeatMissLimit?: number;
  /** Deadline for one request (strategies.request_timeout_ms); 0 = none. Default 120000. */
  readonly requestTimeoutMs?: number;
  /** Deadline for spawn + load + `ready`. Default 30000 (tsx compiles the strategy on first load). */
  readonly startTimeoutMs?: number;
  /** Wait for `shutdown_ack` and exit before killing (strategies.shutdown_timeout_ms). Default 3000. */
  readonly shutdownTimeoutMs?: number;
  readonly logger?: Logger;
  /** Module exporting StrategyRunner (absolute path or file URL). Default: src/strategies/runner.ts. */
  readonly runnerModule?: string;
  /** Options for StrategyRunner.create (plain data). `skipSourceCheck` is for test fixtures only. */
  readonly runnerOptions?: RunnerCreateOptions;
}

export interface ResolvedHostOptions {
  readonly isolation: Isolation;
  readonly heartbeatMs: number;
  readonly heartbeatMissLimit: number;
  readonly requestTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly logger: Logger;
  readonly runnerModule: string;
  readonly runnerOptions: RunnerCreateOptions;
}

export function resolveHostOptions(o: StrategyHostOptions): ResolvedHostOptions {
  return {
    isolation: o.isolation,
    heartbeatMs: o.heartbeatMs ?? 1000,
    heartbeatMissLimit: o.heartbeatMissLimit ?? 5,
    requestTimeoutMs: o.requestTimeoutMs ?? 120_000,
    startTimeoutMs: o.startTimeoutMs ?? 30_000,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 3000,
    logger: o.logger ?? silentLogger(),
    runnerModule: o.runnerModule ?? DEFAULT_RUNNER_MODULE,
    runnerOptions: { ...(o.runnerOptions ?? {}) },
  };
}

/** Creates (does not start) a host for one strategy instance. */
export function createStrategyHost(spec: StrategySpec, options: StrategyHostOptions): StrategyHost {
  const o = resolveHostOptions(options);
  return o.isolation === 'inline' ? new InlineStrategyHost(spec, o) : new RemoteStrategyHost(spec, o);
}
