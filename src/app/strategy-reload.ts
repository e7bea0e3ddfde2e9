import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { CtError, isCtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import type { Logger } from '../observability/logger.ts';
import type { StrategyEventWriter } from '../persistence/strategy-events.ts';
import { REPO_ROOT } from '../strategies/loader.ts';
import { checkStrategySource, formatViolations } from '../strategies/source-check.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';
import { createStrategyHost } from '../workers/host-factory.ts';
import type { HostGroup } from '../workers/host-group.ts';
import { hostLookaheadCheck } from '../workers/host-lookahead.ts';
import type { StrategyHostOptions } from '../workers/strategy-host.ts';
import { SupervisedStrategyHost, type ReplaceOutcome } from '../workers/supervised-host.ts';
import { clearStatusFlag, raiseStatusFlag } from './status-line.ts';
import { watchFiles, type FileWatch } from './strategy-watch.ts';

/**
 * Hot reload of strategies (dry-run and forward; never live, never a backtest): when the file of
 * an enabled strategy changes, the new code is loaded in a FRESH host of the run's isolation,
 * checked (source check, schema and the config's parameters at load, the look-ahead check on the
 * recent candles, src/workers/host-lookahead.ts), warmed up on the recent candles and swapped in
 * at a step boundary by its SupervisedStrategyHost (`replaceWith`). The account (sub-ledger, open
 * positions) is keyed by instance id and never touched: only the host changes. Whatever fails,
 * the old code goes on; the failure is logged, stored as a `reload_failed` strategy event and
 * flagged on the status line until a later save reloads. docs/hot-reload.md.
 */

export interface StrategyReload {
  /** The files watched (absolute). */
  readonly files: readonly string[];
  /** Stops watching; a reload in progress ends without a record (the hosts' stop drops a prepared host). */
  stop(): void;
  /** Resolves when no reload is in progress (after the hosts were stopped, or it may wait for a step). */
  settled(): Promise<void>;
}

export interface StrategyReloadInputs {
  readonly group: HostGroup;
  readonly specs: readonly StrategySpec[];
  readonly config: Config;
  readonly hostOptions: StrategyHostOptions;
  readonly log: Logger;
  readonly events?: StrategyEventWriter;
}

interface Watched {
  readonly spec: StrategySpec;
  readonly file: string;
  readonly host: SupervisedStrategyHost;
  /** sha256 of the text of the code running now. */
  running: string;
  busy: Promise<void> | undefined;
  again: boolean;
  failed: boolean;
}

/** The file a strategy's code lives in: a custom file, or a built-in's source under strategies/builtins/. */
export function strategyFileOf(spec: StrategySpec): string {
  return spec.source.kind === 'file' ? resolve(spec.source.path) : join(REPO_ROOT, 'strategies', 'builtins', `${spec.strategyId}.ts`);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Starts watching the enabled strategies' files of a supervised group. */
export function startStrategyReload(inp: StrategyReloadInputs): StrategyReload {
  const log = inp.log.child({ component: 'strategy-reload' });
  const watched: Watched[] = [];
  for (const spec of inp.specs) {
    const host = inp.group.hosts.find((h) => h.instanceId === spec.instanceId);
    const file = strategyFileOf(spec);
    const text = readText(file);
    if (!(host instanceof SupervisedStrategyHost) || text === undefined) continue;
    watched.push({ spec, file, host, running: sha256(text), busy: undefined, again: false, failed: false });
  }
  const files = [...new Set(watched.map((w) => w.file))];
  let stopped = false;

  const record = (w: Watched, kind: 'reloaded' | 'reload_failed', code: string | null, message: string): void => {
    try {
      inp.events?.record({ instanceId: w.spec.instanceId, kind, code, message });
    } catch (e) {
      log.warn({ instanceId: w.spec.instanceId, err: (e as Error).message }, `strategy ${w.spec.instanceId}: could not record its ${kind} event in the state database`);
    }
  };

  const failed = (w: Watched, err: CtError): void => {
    if (stopped) {
      log.info({ instanceId: w.spec.instanceId, code: err.code }, `strategy ${w.spec.instanceId}: reload abandoned, the daemon is stopping: ${err.message}`);
      return;
    }
    w.failed = true;
    const message = `hot reload of strategy ${w.spec.instanceId} from ${w.file} failed, the old code keeps running: ${err.message}`;
    log.error({ instanceId: w.spec.instanceId, file: w.file, code: err.code }, message);
    record(w, 'reload_failed', err.code, message);
    raiseStatusFlag(`reload:${w.spec.instanceId}`, `RELOAD FAILED ${w.spec.instanceId} (${err.code})`);
  };

  const reload = async (w: Watched): Promise<void> => {
    const id = w.spec.instanceId;
    const text = readText(w.file);
    if (text === undefined) {
      return failed(w, new CtError('CT_ERR_STRATEGY_RELOAD', `${w.file}: the file is gone`, { details: { where: w.file } }));
    }
    const hash = sha256(text);
    if (hash === w.running) {
      // Saved unchanged, or put back as it runs: nothing to load; an earlier failure is moot.
      if (w.failed) {
        w.failed = false;
        clearStatusFlag(`reload:${id}`);
        log.info({ instanceId: id, file: w.file }, `strategy ${id}: ${w.file} is back to the code that runs; nothing to reload`);
      }
      return;
    }
    if (inp.hostOptions.runnerOptions?.skipSourceCheck !== true) {
      const violations = checkStrategySource(text, w.file, REPO_ROOT);
      if (violations.length > 0) {
        return failed(w, new CtError('CT_ERR_STRATEGY_LOAD', `${w.file}: breaks the strategy no-I/O rule:\n${formatViolations(violations)}`, { details: { where: w.file, violations } }));
      }
    }
    log.info({ instanceId: id, file: w.file, sha256: hash.slice(0, 12) }, `strategy ${id}: ${w.file} changed; loading the new code in a fresh ${inp.hostOptions.isolation} host`);
    const spec: StrategySpec = { ...w.spec, source: { kind: 'file', path: w.file } };
    const make = () => createStrategyHost(spec, inp.hostOptions);
    const outcome: ReplaceOutcome = await w.host.replaceWith(make, async ({ recent, signals }) => {
      const r = await hostLookaheadCheck(id, make, recent, signals);
      log.info({ instanceId: id, steps: r.steps, cuts: r.cuts }, r.message);
    });
    if (!outcome.ok) return failed(w, outcome.error);
    w.running = hash;
    w.failed = false;
    clearStatusFlag(`reload:${id}`);
    const message = `strategy ${id} reloaded from ${w.file} (sha256 ${hash.slice(0, 12)}): new code from step ${isoUtc(outcome.swapTs)} on, warmed up on ${outcome.warmedUpCandles} recent candles and ${outcome.caughtUpCandles} that came meanwhile`;
    log.info({ instanceId: id, file: w.file, swapTs: outcome.swapTs, pid: outcome.pid }, message);
    record(w, 'reloaded', null, message);
  };

  /** One reload at a time per instance; a save during one is reloaded after it. */
  const schedule = (w: Watched): void => {
    if (stopped) return;
    if (w.busy !== undefined) {
      w.again = true;
      return;
    }
    w.busy = reload(w)
      .catch((e) => failed(w, isCtError(e) ? e : new CtError('CT_ERR_STRATEGY_RELOAD', `strategy ${w.spec.instanceId}: ${(e as Error)?.message ?? String(e)}`, { cause: e })))
      .finally(() => {
        w.busy = undefined;
        if (w.again) {
          w.again = false;
          schedule(w);
        }
      });
  };

  const watch: FileWatch = watchFiles(files, inp.config.strategies.reload_debounce_ms, (file) => {
    for (const w of watched) if (w.file === resolve(file)) schedule(w);
  }, (dir, e) => log.warn({ dir, err: e.message }, `hot reload: cannot watch ${dir}: ${e.message}`));
  if (files.length > 0) log.info({ files, debounceMs: inp.config.strategies.reload_debounce_ms }, `hot reload: watching ${files.length} strategy file(s)`);

  return {
    files,
    stop() {
      stopped = true;
      watch.close();
      for (const w of watched) clearStatusFlag(`reload:${w.spec.instanceId}`);
    },
    async settled() {
      await Promise.all(watched.map((w) => w.busy));
    },
  };
}
