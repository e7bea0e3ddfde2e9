import { readProcessStat } from '../../../../src/core/process-table.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI_ARGS } from '../../../support/cli-entry.ts';
import { REPO_ROOT } from '../../../support/shared-data.ts';

/** Fake credentials, written to the project's .env (never a real key). */
export const FAKE_KEY = 'FAKEKEYq7Zr2Lm9Xw4Tn8Vb';
export const FAKE_SECRET = 'FAKESECRETp3Ks6Yd1Hc5Jf0Ga';

export const HOSTILE = resolve(REPO_ROOT, 'tests/fixtures/hostile-strategies');
export const FAILING = resolve(REPO_ROOT, 'tests/fixtures/failing-strategies');

/** A temporary project folder, as an operator has one: a .env with (fake) API credentials; State/, logs/ and results/ appear in it. */
export function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-project-'));
  writeFileSync(join(dir, '.env'), `BYBIT_API_KEY=${FAKE_KEY}\nBYBIT_API_SECRET=${FAKE_SECRET}\n`);
  return dir;
}

/** The environment of a CLI run: this one without any real or inherited credentials. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.BYBIT_API_KEY;
  delete env.BYBIT_API_SECRET;
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  return env;
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the real CLI (tests/support/cli-entry.ts) in `cwd`, the process itself being the daemon (no wrapper). */
export function startCli(cwd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Daemon {
  const child = spawn(process.execPath, [...CLI_ARGS, '--config', join(REPO_ROOT, 'config', 'config.ini'), ...args], {
    cwd,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(cwd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Daemon['done'] {
  return startCli(cwd, args, opts).done;
}

/** `--set k=v` for each pair. */
export const sets = (pairs: readonly string[]): string[] => pairs.flatMap((p) => ['--set', p]);

/** Every file under `dir` (recursively), for byte searches. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** The files under `dirs` whose bytes contain `needle`. */
export function filesContaining(dirs: readonly string[], needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  return dirs.flatMap(filesUnder).filter((f) => readFileSync(f).includes(bytes));
}

/** Linux /proc: the processes whose parent is `ppid`, and whether a pid is still running (a zombie is not). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st && st.ppid === ppid) out.push(Number(name));
  }
  return out;
}

/** The process's state, parent and CPU ticks, read by the daemon's own /proc parser. */
export const procStat = readProcessStat;

export function running(pid: number): boolean {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
