import type { RawConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { RunMode } from '../../domain/run-mode.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SessionStatus } from '../session.ts';

/** What the command line hands a mode: the validated config, the secrets, and the flags only a mode can judge. */
export interface ModeRunInputs {
  readonly config: Config;
  readonly raw: RawConfig;
  readonly logger: Logger;
  readonly secrets: Secrets;
  /** `--confirm-live` was given. */
  readonly confirmLive: boolean;
  /** `--new-account` was given (only a resumable mode accepts it). */
  readonly newAccount: boolean;
  /** `--skip-preflight` was given: a forward/live start goes on past a failed fatal preflight check (logged). */
  readonly skipPreflight: boolean;
  /**
   * Text for the operator while the run starts (an exchange account's banner, the reconciliation
   * diff): stdout, or stderr with --json (stdout then holds only the JSON document). Scrubbed.
   */
  readonly say: (text: string) => void;
}

/** What the command prints when the run ends: one JSON document with --json, the text otherwise. */
export interface ModeReport {
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/**
 * One mode as the command line sees it. The mode's own rules (live confirmation, what a forward
 * run may execute on, ...) are checked in `run`, not in the CLI; its session wiring (source,
 * execution adapter, accounting, supervision, end of run) is in the same module.
 */
export interface ModeModule {
  readonly name: RunMode;
  /** Log file name of a run in this mode (in general.log_dir). */
  readonly logFile: string;
  /** The key `--max-candles` sets in this mode; undefined = the mode has no step limit (the flag is refused). */
  readonly maxCandlesKey?: string;
  /** A key `--symbols` sets in this mode besides market.symbols (the dry-run's synthetic symbols). */
  readonly symbolsKey?: string;
  /** The mode's account resumes across starts (forward): `--new-account` applies to it. */
  readonly resumable?: boolean;
  /** The mode's start runs the fatal preflight checks (forward, live): `--skip-preflight` applies to it. */
  readonly preflightAtStart?: boolean;
  run(inp: ModeRunInputs): Promise<ModeReport>;
}

/** What a daemon run (forward, live) reports when it stops. */
export interface DaemonRunOutcome {
  readonly runId: string;
  readonly status: SessionStatus;
  readonly steps: number;
  readonly fills: number;
  readonly finalEquity: number;
  /** results/<run-id>/, written from the run's rows when it stops (like a backtest's). */
  readonly resultsDir: string;
}
