/**
 * Checks of the host the daemon runs on, in every mode: the state, logs and results directories
 * can be written, the state database passes SQLite's own integrity check, the disks holding them
 * have room, and no other daemon holds the state dir's lock.
 *
 * "Writable" is proven by writing: a probe file is created and removed in each directory (made
 * first when missing, as the daemon would). Permission bits alone say nothing for root.
 */
import { existsSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config/schema.ts';
import { probeDaemonLock } from '../app/state-lock.ts';
import { fail, messageOf, pass, warn, type CheckResult } from './check.ts';

const DB_FILE = 'trading.db';

/** Creates `dir` when missing and writes then removes a probe file in it. */
export function dirWritableCheck(id: string, key: string, dir: string): CheckResult {
  const abs = resolve(dir);
  const existed = existsSync(abs);
  try {
    mkdirSync(abs, { recursive: true });
    const probe = join(abs, `.preflight-${process.pid}.tmp`);
    writeFileSync(probe, 'preflight\n');
    rmSync(probe, { force: true });
    return pass(id, `${key} = ${dir}: ${abs} is writable${existed ? '' : ' (created)'}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return fail(id, `${key} = ${dir}: ${abs} cannot be written (${code}: ${messageOf(e)})`, `make ${abs} a directory this user can write, or point ${key} at one`);
  }
}

/**
 * `PRAGMA integrity_check` on State/trading.db, read-only; a database not created yet passes.
 * `quick` (a daemon's start): `quick_check`, which skips the index cross-checks that make the full
 * check read every page of a large database.
 */
export function integrityCheck(stateDir: string, quick = false): CheckResult {
  const id = 'state.integrity';
  const file = join(resolve(stateDir), DB_FILE);
  if (!existsSync(file)) return pass(id, `${file} does not exist yet (the first run creates it)`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const pragma = quick ? 'quick_check' : 'integrity_check';
    const found = (db.pragma(pragma) as Array<Record<string, string>>).map((r) => String(Object.values(r)[0]));
    if (found.length === 1 && found[0] === 'ok') return pass(id, `${file}: PRAGMA ${pragma} ok`);
    return fail(id, `${file}: PRAGMA ${pragma} reports ${found.length} problem(s): ${found.slice(0, 3).join('; ')}`, `stop the daemon, keep a copy of ${file}, and restore it from a backup (docs/deployment.md "Backups")`);
  } catch (e) {
    return fail(id, `${file} cannot be opened as an SQLite database: ${messageOf(e)}`, `restore ${file} from a backup, or move it aside to start with a new state`);
  } finally {
    db?.close();
  }
}

/** The nearest directory of `dir` that exists (statfs needs one). */
function existingAncestor(dir: string): string {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** Free space on the disk of each of the state, logs and results dirs against preflight.min_free_disk_mb. */
export function freeDiskCheck(config: Config): CheckResult {
  const id = 'disk.free';
  const min = config.preflight.min_free_disk_mb;
  const dirs = [config.general.state_dir, config.general.log_dir, config.general.results_dir];
  const seen: string[] = [];
  let lowest: { dir: string; mb: number } | undefined;
  try {
    for (const dir of dirs) {
      const s = statfsSync(existingAncestor(dir));
      const mb = Math.floor((s.bavail * s.bsize) / (1024 * 1024));
      seen.push(`${dir} ${mb} MB`);
      if (lowest === undefined || mb < lowest.mb) lowest = { dir, mb };
    }
  } catch (e) {
    return warn(id, `free disk space could not be read: ${messageOf(e)}`, 'check the disk by hand (df -h)');
  }
  if (lowest !== undefined && lowest.mb < min) {
    return fail(id, `only ${lowest.mb} MB free on the disk of ${lowest.dir} (preflight.min_free_disk_mb = ${min}; ${seen.join(', ')})`, `free space on that disk, or move general.state_dir / log_dir / results_dir to a larger one`);
  }
  return pass(id, `free: ${seen.join(', ')} (at least ${min} MB)`);
}

/** No daemon holds the state dir's lock (src/app/state-lock.ts); the probe never takes it. */
export function daemonLockCheck(stateDir: string): CheckResult {
  const id = 'state.lock';
  const dir = resolve(stateDir);
  try {
    const p = probeDaemonLock(dir);
    if (!p.held) return pass(id, `no daemon holds the lock of ${dir}`);
    const who = p.holder === undefined ? 'a daemon that has not written State/daemon.lock yet' : `pid ${p.holder.pid} (${p.holder.mode} run ${p.holder.run_id}, started ${p.holder.started_at})`;
    return fail(id, `state dir ${dir} is in use by another daemon: ${who}`, 'stop that daemon first, or give this one its own general.state_dir');
  } catch (e) {
    return fail(id, `the daemon lock of ${dir} could not be read: ${messageOf(e)}`, `make ${dir} readable, or remove a damaged ${join(dir, 'daemon.lock.db')} while no daemon runs`);
  }
}

/**
 * Every local check, in the order they are printed. At a daemon's own start (`start`) the lock is
 * not probed (the session takes it, and refuses a second daemon itself) and the integrity check is
 * the quick one.
 */
export function localChecks(config: Config, opts: { readonly start: boolean }): CheckResult[] {
  const g = config.general;
  const out = [
    dirWritableCheck('state.writable', 'general.state_dir', g.state_dir),
    integrityCheck(g.state_dir, opts.start),
    freeDiskCheck(config),
    dirWritableCheck('logs.writable', 'general.log_dir', g.log_dir),
    dirWritableCheck('results.writable', 'general.results_dir', g.results_dir),
  ];
  if (!opts.start) out.push(daemonLockCheck(g.state_dir));
  return out;
}
