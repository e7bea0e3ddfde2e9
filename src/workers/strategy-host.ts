/**
 * The types of the strategy host stack. A StrategyHost is how the candle loop drives one strategy
 * instance, whatever its isolation:
 *
 *  - process (default for forward/live/dry-run): a child process per instance; a crash, a hang or
 *    a memory blow-up of user code cannot touch the daemon.
 *  - worker: a worker thread per instance; cheaper to start, same protocol, shares the process.
 *  - inline: the runner in the calling thread; fastest, for backtests only (no hang detection,
 *    a crash is the daemon's crash).
 *
 * All three produce the same Signals for the same batches (tests/integration/workers prove it),
 * so the isolation mode is a deployment choice, never a results choice. The implementations are
 * InlineStrategyHost, RemoteStrategyHost (process/worker) and SupervisedStrategyHost (restarts a
 * failing one); host-factory.ts builds them and HostGroup drives several as the loop's port.
 * This file holds types only, so every implementation can import it without an import cycle.
 */
import type { Logger } from 'pino';
import type { CandleBatch } from '../domain/candle-batch.ts';
import type { Fill } from '../domain/order.ts';
import type { Signal } from '../domain/signal.ts';
import type { LoadOptions } from '../strategies/loader.ts';

export type Isolation = 'process' | 'worker' | 'inline';

/** What the runner reported when it was built (the guest's `ready` handshake). */
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
  /** Resolves when every request sent so far has left this process (hosts with a guest behind IPC). */
  written?(): Promise<void>;
  notifyFills(fills: readonly Fill[]): Promise<void>;
  finish(): Promise<Signal[]>;
  /** Graceful shutdown with acknowledgement; kills after shutdownTimeoutMs. Safe to call twice. */
  stop(): Promise<StopReport>;
}

/**
 * Plain-data options for StrategyRunner.create. They cross the boundary in `init`, so no
 * functions here (the guest attaches the log sink on its side).
 */
export type RunnerCreateOptions = LoadOptions;

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
  /** Memory cap of one guest in MB (strategies.max_memory_mb). Default 1024. */
  readonly maxMemoryMb?: number;
  readonly logger?: Logger;
  /** `skipSourceCheck` is for test fixtures only, never from config. */
  readonly runnerOptions?: RunnerCreateOptions;
}

/** StrategyHostOptions with every default filled in (what the implementations receive). */
export type ResolvedHostOptions = Required<StrategyHostOptions>;
