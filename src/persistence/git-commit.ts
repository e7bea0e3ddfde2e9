import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const commitByDir = new Map<string, string | null>();

/**
 * The commit the daemon runs from (what `git rev-parse HEAD` prints), or null outside a git
 * checkout. Read from the repository's files (HEAD, the loose ref, packed-refs), which costs
 * well under a millisecond where spawning git cost 10-30 ms of every run's start; anything
 * unusual (GIT_DIR set, an unborn branch, a ref store this reader does not know) asks git itself.
 * Once per process and directory: the code running is the code loaded at start.
 */
export function currentGitCommit(cwd = process.cwd()): string | null {
  let c = commitByDir.get(cwd);
  if (c !== undefined) return c;
  c = process.env.GIT_DIR === undefined && process.env.GIT_WORK_TREE === undefined ? headFromFiles(cwd) : undefined;
  if (c === undefined) c = headFromGit(cwd);
  commitByDir.set(cwd, c);
  return c;
}

/** HEAD's commit from the files of the repository around `cwd`; null: no repository; undefined: ask git. */
export function headFromFiles(cwd: string): string | null | undefined {
  try {
    const gitDir = findGitDir(resolve(cwd));
    if (gitDir === null) return null;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (HASH.test(head)) return head; // detached
    const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1];
    if (ref === undefined) return undefined;
    // A linked worktree keeps its own HEAD; branches live in the common directory.
    let common = gitDir;
    try {
      common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
    } catch {
      // not a linked worktree
    }
    for (const d of gitDir === common ? [gitDir] : [gitDir, common]) {
      try {
        const h = readFileSync(join(d, ref), 'utf8').trim();
        if (HASH.test(h)) return h;
      } catch {
        // not a loose ref here
      }
    }
    let packed: string;
    try {
      packed = readFileSync(join(common, 'packed-refs'), 'utf8');
    } catch {
      return undefined;
    }
    for (const line of packed.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && line.slice(sp + 1).trim() === ref && HASH.test(line.slice(0, sp))) return line.slice(0, sp);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** The `.git` directory of the repository containing `dir` (following a worktree's `.git` file), or null. */
function findGitDir(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    const st = statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return dotGit;
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m === null) throw new Error(`${dotGit}: not a gitdir file`);
      return resolve(d, m[1]!.trim());
    }
    if (dirname(d) === d) return null;
  }
}

function headFromGit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}
