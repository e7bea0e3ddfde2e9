import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Runs the test files longest first (LPT scheduling), from the durations recorded in
 * tests/durations.json (`node scripts/test-durations.mjs` refreshes it from vitest's own cache
 * after a full run). A clean clone has no vitest cache, and vitest's fallback order (file size)
 * left a minute-long exchange test to start last: its two workers then idled side by side for
 * most of a minute at the end of CI. Files without a recorded duration (new ones) go first: they
 * are the ones whose cost nobody knows yet.
 */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = readDurations(this.ctx.config.root);
    const cost = (f: TestSpecification): number => known[relativeTo(this.ctx.config.root, f.moduleId)] ?? Number.POSITIVE_INFINITY;
    const byDefault = await super.sort(files);
    const rank = new Map(byDefault.map((f, i) => [f, i] as const));
    return [...files].sort((a, b) => cost(b) - cost(a) || rank.get(a)! - rank.get(b)!);
  }
}

function relativeTo(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function readDurations(root: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(join(root, 'tests', 'durations.json'), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}
