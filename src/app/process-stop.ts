import { launcherChain, processCommand, stillRunning, type ProcessStat } from '../core/process-table.ts';

/**
 * The one stop request of this process: SIGINT, SIGTERM, or the process that launched it gone.
 *
 * Whoever can end its work cleanly holds it: the CLI from its first line (a signal during
 * start-up is then remembered instead of killing the process half-way, with a run row already
 * written) and every session while it runs. The handlers are installed while someone holds it,
 * so a command that does not hold it (`data download`) still dies of Ctrl-C as usual.
 */
export type StopCause =
  | { readonly kind: 'signal'; readonly signal: 'SIGINT' | 'SIGTERM' }
  | { readonly kind: 'launcher'; readonly pid: number; readonly command: string };

export interface StopHold {
  /** Aborted on the first stop request, with its StopCause as reason. */
  readonly signal: AbortSignal;
  release(): void;
}

let controller = new AbortController();
let holders = 0;
let watch: ReturnType<typeof setInterval> | undefined;

function request(cause: StopCause): void {
  if (!controller.signal.aborted) controller.abort(cause);
}

// A later signal while the stop is under way changes nothing: the run is ending as fast as it
// can, and cutting it short would leave it to be marked crashed. SIGKILL is the way to force it.
const onSignal = (signal: NodeJS.Signals): void => request({ kind: 'signal', signal: signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT' });

export function holdProcessStop(): StopHold {
  if (holders++ === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const signal = controller.signal;
  let released = false;
  return {
    signal,
    release() {
      if (released) return;
      released = true;
      if (--holders > 0) return;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (watch !== undefined) clearInterval(watch);
      watch = undefined;
      // The next holder in this process (tests run many sessions) starts without a stop.
      controller = new AbortController();
    },
  };
}

export function stopCauseOf(signal: AbortSignal): StopCause | undefined {
  const r: unknown = signal.reason;
  return typeof r === 'object' && r !== null && 'kind' in r ? (r as StopCause) : undefined;
}

/** `SIGINT`, or `its launcher (pid 123: npm exec tsx main.ts) exited`. */
export function describeStop(cause: StopCause | undefined): string {
  if (cause === undefined) return 'a stop request';
  if (cause.kind === 'signal') return cause.signal;
  const cmd = cause.command.length > 120 ? `${cause.command.slice(0, 117)}...` : cause.command;
  return `its launcher (pid ${cause.pid}${cmd ? `: ${cmd}` : ''}) exited`;
}

/** How often the launcher chain is looked at. */
const WATCH_MS = 1_000;

/**
 * Stops this process (as SIGTERM would) when a process that launched it exits: killing the pid
 * an operator started (npx, npm, a shell script) must stop the daemon. npm forwards the signal to
 * its shell and dies with it, but nothing forwards it to tsx and the daemon below, which would
 * otherwise go on as orphans. Only the launchers in our own process group are watched (see
 * `launcherChain`): a daemon started by systemd, a terminal's shell or `setsid` leads its own
 * group and keeps running when its parent goes, as a daemon should.
 */
export function watchLauncher(): void {
  if (watch !== undefined || holders === 0) return;
  const chain: Array<ProcessStat & { command: string }> = launcherChain().map((p) => ({ ...p, command: processCommand(p.pid) }));
  if (chain.length === 0) return;
  watch = setInterval(() => {
    const gone = chain.find((p) => !stillRunning(p));
    if (gone === undefined) return;
    request({ kind: 'launcher', pid: gone.pid, command: gone.command });
    clearInterval(watch);
  }, WATCH_MS);
  watch.unref();
}
