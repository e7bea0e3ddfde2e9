import { spawn } from 'node:child_process';
import { CLI_ARGS } from './cli-entry.ts';
import { REPO_ROOT } from './shared-data.ts';

export interface CliProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI (tests/support/cli-entry.ts) as a child process without blocking the test's
 * event loop (a fake exchange served from the test process must keep answering); killed with
 * SIGKILL after `timeoutMs` so a hung run fails the test instead of hanging it.
 */
export function runCliProcess(args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<CliProcessResult> {
  return startCliProcess(args, timeoutMs, env).exited.then(({ code, stdout, stderr }) => ({ code, stdout, stderr }));
}

/** A CLI process a test can wait for or kill at any moment (a daemon); SIGKILLed after `timeoutMs`. */
export interface CliProcess {
  readonly pid: number;
  /** Resolves when the process has exited (with its code, or the signal that killed it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal?: NodeJS.Signals): void;
}

export function startCliProcess(args: readonly string[], timeoutMs = 90_000, env?: NodeJS.ProcessEnv): CliProcess {
  const p = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: REPO_ROOT, ...(env !== undefined ? { env } : {}) });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid: p.pid!, exited, kill: (signal = 'SIGKILL') => void p.kill(signal) };
}
