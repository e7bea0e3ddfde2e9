import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FakeBybitServer } from './fake-bybit/server.ts';

/**
 * A forward daemon as an operator runs it (the CLI as a real process against the fake Bybit
 * server), that a test can wait for or kill at any moment.
 */
export { startCliProcess as startDaemon, type CliProcess as Daemon } from './cli-process.ts';

/** `--set` arguments pointing a forward run at the fake server and a workspace. */
export function forwardArgs(server: FakeBybitServer, sets: readonly string[], extra: readonly string[] = []): string[] {
  return ['--mode', 'forward', ...[`exchange.rest_url=${server.restUrl}`, `exchange.ws_url=${server.wsUrl}`, ...sets].flatMap((s) => ['--set', s]), ...extra];
}

const readers = new Map<string, Database.Database>();

/**
 * Runs `fn` on a read-only connection to the state DB (undefined while the file or its schema
 * does not exist yet). One connection per file is kept open: in WAL mode every query sees the
 * commits made before it, and polling stays cheap.
 */
export function readDb<T>(stateDb: string, fn: (db: Database.Database) => T): T | undefined {
  let db = readers.get(stateDb);
  if (db === undefined) {
    if (!existsSync(stateDb)) return undefined;
    db = new Database(stateDb, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    readers.set(stateDb, db);
  }
  try {
    return fn(db);
  } catch (e) {
    // The daemon may still be creating the schema.
    if (/no such table|no such column/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** Closes the connections readDb opened (call it in afterAll). */
export function closeReaders(): void {
  for (const db of readers.values()) db.close();
  readers.clear();
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every JSON log record in a log folder, in file order. */
export function logRecords(logDir: string): Array<Record<string, unknown>> {
  if (!existsSync(logDir)) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const f of readdirSync(logDir).sort()) {
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by a SIGKILL
      }
    }
  }
  return out;
}
