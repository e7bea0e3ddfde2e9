import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headFromFiles } from '../../../src/persistence/git-commit.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const root = mkdtempSync(join(tmpdir(), 'ct-git-commit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

function repoWithCommits(name: string, n: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  git(dir, 'init', '-q');
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, 'f.txt'), String(i));
    git(dir, 'add', 'f.txt');
    git(dir, 'commit', '-qm', `c${i}`);
  }
  return dir;
}

describe('the commit a run records, read from the repository files', () => {
  it('is what git rev-parse HEAD prints in this checkout (a worktree or a clone)', () => {
    expect(headFromFiles(REPO_ROOT)).toBe(git(REPO_ROOT, 'rev-parse', 'HEAD'));
  });

  it('follows a branch from a subdirectory, a loose ref and then a packed one', () => {
    const dir = repoWithCommits('loose', 2);
    mkdirSync(join(dir, 'sub'));
    expect(headFromFiles(join(dir, 'sub'))).toBe(git(dir, 'rev-parse', 'HEAD'));
    git(dir, 'pack-refs', '--all');
    expect(headFromFiles(dir)).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it('reads a detached HEAD and the HEAD of a linked worktree', () => {
    const dir = repoWithCommits('detached', 3);
    git(dir, 'checkout', '-q', 'HEAD~1');
    expect(headFromFiles(dir)).toBe(git(dir, 'rev-parse', 'HEAD'));
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'branch', 'side', 'HEAD~2');
    const wt = join(root, 'detached-wt');
    git(dir, 'worktree', 'add', '-q', wt, 'side');
    expect(headFromFiles(wt)).toBe(git(wt, 'rev-parse', 'HEAD'));
    expect(headFromFiles(wt)).not.toBe(headFromFiles(dir));
  });

  it('leaves an unborn branch to git (undefined) and says null outside any repository', () => {
    const dir = join(root, 'unborn');
    mkdirSync(dir);
    git(dir, 'init', '-q');
    expect(headFromFiles(dir)).toBeUndefined();
    // The temp folder is outside any checkout unless TMPDIR itself is inside one.
    const outside = mkdtempSync(join(tmpdir(), 'ct-no-git-'));
    try {
      let expected: string | null = null;
      try {
        expected = git(outside, 'rev-parse', 'HEAD');
      } catch {
        expected = null;
      }
      expect(headFromFiles(outside)).toBe(expected);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
