/**
 * Loads the strategy runner module and creates a runner for a spec. Used by the guest (inside a
 * child process or worker thread) and by the inline host, so all three isolation modes build the
 * strategy the same way.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeUrl } from '../core/code-location.ts';
import { CtError } from '../core/errors.ts';
import type { StrategyLogSink } from '../strategies/runner.ts';
import type { RunnerCreateOptions, RunnerLike, RunnerModule, StrategySpec } from './strategy-spec.ts';

/** The real runner (src/strategies/runner.ts), as a file URL. */
export const DEFAULT_RUNNER_MODULE = codeUrl('../strategies/runner.ts', import.meta.url).href;

/** Accepts a file URL or an absolute path; returns a file URL for import(). */
export function moduleUrl(pathOrUrl: string): string {
  if (pathOrUrl.startsWith('file:')) return pathOrUrl;
  if (!isAbsolute(pathOrUrl)) throw new CtError('CT_ERR_INTERNAL', `runner module "${pathOrUrl}" must be an absolute path or a file URL`);
  return pathToFileURL(pathOrUrl).href;
}

/** Imports the runner module and calls `StrategyRunner.create(spec)`. Errors keep their CtError code. */
export async function createRunner(
  runnerModule: string,
  spec: StrategySpec,
  opts: RunnerCreateOptions & { log?: StrategyLogSink } = {},
): Promise<RunnerLike> {
  let mod: RunnerModule;
  try {
    mod = (await import(moduleUrl(runnerModule))) as RunnerModule;
  } catch (e) {
    if (e instanceof CtError) throw e;
    throw new CtError('CT_ERR_STRATEGY_LOAD', `strategy ${spec.instanceId}: cannot load the runner module ${runnerModule}: ${(e as Error).message}`, {
      cause: e,
      details: { instanceId: spec.instanceId, module: runnerModule },
    });
  }
  if (typeof mod.StrategyRunner?.create !== 'function') {
    throw new CtError('CT_ERR_STRATEGY_LOAD', `strategy ${spec.instanceId}: runner module ${runnerModule} does not export StrategyRunner.create`, {
      details: { instanceId: spec.instanceId, module: runnerModule },
    });
  }
  try {
    return await mod.StrategyRunner.create(spec, opts);
  } catch (e) {
    if (e instanceof CtError) throw e;
    throw new CtError('CT_ERR_STRATEGY_LOAD', `strategy ${spec.instanceId}: could not be created: ${(e as Error)?.message ?? String(e)}`, {
      cause: e,
      details: { instanceId: spec.instanceId },
    });
  }
}
