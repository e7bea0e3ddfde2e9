/**
 * A real terminal for tests of interactive commands: a private tmux server (its own socket, so
 * it never touches a user's sessions) with one 80x30 window running the built CLI. Keys go in
 * with `send-keys`, the screen comes back with `capture-pane`, and waiting for a text polls the
 * screen until it appears, failing with the screen as it was. tmux is required: without it the
 * tests that use this fail saying so (they never skip).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_ARGS } from './cli-entry.ts';

const run = promisify(execFile);

export const TERMINAL_COLUMNS = 80;
export const TERMINAL_ROWS = 30;

/** Throws, naming what to install, when tmux is not on the PATH. */
export function requireTmux(): void {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'pipe' });
  } catch {
    throw new Error('tmux is needed for the console tests (they drive the real console in a terminal): install it, e.g. apt-get install -y tmux');
  }
}

export interface Terminal {
  /** Text typed as is (no key names). */
  type(text: string): Promise<void>;
  /** tmux key names: Enter, Space, Down, C-c, BSpace, ... */
  keys(...names: string[]): Promise<void>;
  /** The whole screen with its scroll-back; wrapped lines joined when `joined`. */
  screen(joined?: boolean): Promise<string>;
  /**
   * Waits until `pattern` appears on the screen (scroll-back included) at least `count` times
   * (default 1); returns the screen. Fails after `timeoutMs` showing the screen.
   */
  waitFor(pattern: string | RegExp, opts?: { count?: number; timeoutMs?: number }): Promise<string>;
  /** Waits for the CLI to exit; its exit code. */
  exitCode(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

function occurrences(text: string, pattern: string | RegExp): number {
  if (typeof pattern === 'string') return text.split(pattern).length - 1;
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))].length;
}

const shellQuote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

/** Starts `node <CLI_ARGS> <args>` in a fresh 80x30 tmux terminal, in `cwd`. */
export async function startTerminal(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Terminal> {
  requireTmux();
  const dir = mkdtempSync(join(tmpdir(), 'ct-tmux-'));
  const socket = join(dir, 'tmux.sock');
  const exitFile = join(dir, 'exit-code');
  // The shell writes the CLI's exit code, then keeps the pane open so its last screen can be read.
  const command = `${[process.execPath, ...CLI_ARGS, ...args].map(shellQuote).join(' ')}; echo $? > ${shellQuote(exitFile)}; exec sleep 600`;
  const env = { ...process.env, ...opts.env };
  delete env['TMUX'];
  const tmux = (...a: string[]): Promise<{ stdout: string }> => run('tmux', ['-S', socket, ...a], { env, encoding: 'utf8' });
  await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'ct', '-x', String(TERMINAL_COLUMNS), '-y', String(TERMINAL_ROWS), '-c', opts.cwd, command);
  await tmux('set-option', '-t', 'ct', 'history-limit', '5000');

  const screen = async (joined = false): Promise<string> => (await tmux('capture-pane', '-p', ...(joined ? ['-J'] : []), '-S', '-', '-t', 'ct')).stdout;
  const poll = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`terminal: ${what} not seen within ${timeoutMs} ms; the screen:\n${await screen()}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  };
  return {
    type: async (text) => void (await tmux('send-keys', '-t', 'ct', '-l', text)),
    keys: async (...names) => void (await tmux('send-keys', '-t', 'ct', ...names)),
    screen,
    waitFor: (pattern, o = {}) =>
      poll(`${String(pattern)}${(o.count ?? 1) > 1 ? ` (${o.count} times)` : ''}`, async () => {
        const s = await screen(true);
        return occurrences(s, pattern) >= (o.count ?? 1) ? s : undefined;
      }, o.timeoutMs ?? 15_000),
    exitCode: (timeoutMs = 15_000) =>
      poll('the CLI exiting', async () => {
        if (!existsSync(exitFile)) return undefined;
        const t = readFileSync(exitFile, 'utf8').trim();
        return t === '' ? undefined : Number(t);
      }, timeoutMs),
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
