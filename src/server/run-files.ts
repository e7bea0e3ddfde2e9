import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The files of a run's results folder the dashboard serves. Only these names, only inside the
 * folder the run's own row points at (the run id itself is looked up exactly in the database, so
 * no part of the URL becomes a path), and only when the real path (symlinks resolved) is still
 * inside that folder: no path can reach anything else on the disk.
 */
export const RUN_FILES: Readonly<Record<string, string>> = {
  'report.html': 'text/html; charset=utf-8',
  'report.txt': 'text/plain; charset=utf-8',
  'equity.png': 'image/png',
  'drawdown.png': 'image/png',
};

/** The absolute path of `name` in `dir`, or undefined when it is not one of RUN_FILES or not a file inside dir. */
export function runFilePath(dir: string, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(RUN_FILES, name)) return undefined;
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    const real = realpathSync(path);
    const root = realpathSync(dir);
    if (!real.startsWith(root + sep) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** Which RUN_FILES exist for the run. */
export function runFilesPresent(dir: string | undefined): string[] {
  return dir === undefined ? [] : Object.keys(RUN_FILES).filter((n) => runFilePath(dir, n) !== undefined);
}
