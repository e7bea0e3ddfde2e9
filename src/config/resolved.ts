import { SECTIONS, type SectionName } from './schema.ts';
import type { RawConfig } from './load.ts';

/**
 * The effective config as INI text: every key of every section (given value or default), then the
 * strategy sections, in a fixed order. Written to results/<run>/config.ini and the runs table so a
 * run can be reproduced exactly. Holds env var NAMES only, never secret values.
 */
export function resolvedIniText(raw: RawConfig, enabledStrategies: readonly string[]): string {
  const lines: string[] = [];
  for (const section of Object.keys(SECTIONS) as SectionName[]) {
    lines.push(`[${section}]`);
    const given = raw.get(section);
    for (const [k, f] of Object.entries(SECTIONS[section] as Record<string, { default: string | undefined }>)) {
      lines.push(`${k} = ${given?.get(k) ?? f.default ?? ''}`);
    }
    lines.push('');
  }
  const strategySections = [...raw.keys()].filter((s) => s.startsWith('strategy.')).sort();
  for (const s of strategySections) {
    const id = s.slice('strategy.'.length);
    if (!enabledStrategies.includes(id)) continue;
    lines.push(`[${s}]`);
    for (const [k, v] of [...raw.get(s)!].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(`${k} = ${v}`);
    lines.push('');
  }
  return lines.join('\n');
}
