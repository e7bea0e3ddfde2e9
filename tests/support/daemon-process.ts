import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CLI_ARGS } from './cli-entry.ts';
import { REPO_ROOT } from './shared-data.ts';

/**
 * A real CLI process that a test keeps running while it looks at it (kills it, signals it, starts
 * another beside it): the CLI as tests start it (tests/support/cli-entry.ts) by default, or `npx tsx main.ts ...` as an
 * operator types it. `detached` puts it in a process group of its own, so that a test can signal
 * the whole group as a terminal's Ctrl-C does (`process.kill(-pid, 'SIGINT')`).
 */
export interface CliChild {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The launched process exited (code, or the signal that killed it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process holding its stdout/stderr is gone (a grandchild included): the output is complete. */
  readonly closed: Promise<void>;
  /** SIGKILL to the group (detached) or the process, whatever is left; for `finally`. */
  kill(): void;
}

export function startCli(args: readonly string[], opts: { launcher?: 'node' | 'npx'; detached?: boolean; nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): CliChild {
  const [cmd, pre] = opts.launcher === 'npx' ? ['npx', ['tsx', 'main.ts']] : [process.execPath, [...(opts.nodeArgs ?? []), ...CLI_ARGS]];
  const child = spawn(cmd, [...pre, ...args], { cwd: REPO_ROOT, detached: opts.detached === true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    closed,
    kill() {
      try {
        if (opts.detached === true) process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (cond()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunRow {
  readonly id: string;
  readonly mode: string;
  readonly status: string;
  readonly pid: number | null;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly last_step_ts: number | null;
  readonly error: string | null;
}

/** The runs table as a reader sees it now ([] while the file does not exist yet). */
export function runRows(stateDb: string): RunRow[] {
  if (!existsSync(stateDb)) return [];
  const db = new Database(stateDb, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare('SELECT id, mode, status, pid, started_at, ended_at, last_step_ts, error FROM runs ORDER BY started_at, id').all() as RunRow[];
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

/** One query on the state DB, read-only. */
export function query<T>(stateDb: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(stateDb, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Whether a process (any, not only our child) still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process of a process group, from `ps` (empty once the whole group is gone). */
export function groupMembers(pgid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/));
  // Zombies have exited: only their parent has not collected them yet.
  return rows.filter((r) => Number(r[1]) === pgid && !String(r[2]).startsWith('Z')).map((r) => Number(r[0]));
}
