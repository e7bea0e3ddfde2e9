import { spawn } from 'node:child_process';
import { CLI_ARGS } from './cli-entry.ts';
import { REPO_ROOT } from './shared-data.ts';

export interface CliProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI (`node --import tsx main.ts ...`) as a child process without blocking the test's
 * event loop (a fake exchange served from the test process must keep answering); killed with
 * SIGKILL after `timeoutMs` so a hung run fails the test instead of hanging it.
 */
export function runCliProcess(args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<CliProcessResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: REPO_ROOT, ...(env !== undefined ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
