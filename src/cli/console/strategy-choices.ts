import { basename } from 'node:path';
import type { BrokenStrategy, DiscoveredStrategy } from '../../strategies/loader.ts';
import type { Choice } from './prompter.ts';
import { CONSOLE_WIDTH, fit } from './text-fit.ts';

/**
 * The strategy list: every discovered strategy by number with its name, version and description
 * (built-ins first, then the custom files), preselected when the config enables it; a broken
 * custom file is listed with its error and cannot be picked. The number is the one the checkbox
 * toggles with the digit keys.
 */
export function strategyChoices(
  found: { ok: readonly DiscoveredStrategy[]; broken: readonly BrokenStrategy[] },
  enabled: readonly string[],
  width = CONSOLE_WIDTH,
): Array<Choice<string>> {
  // Room for inquirer's cursor and box ("❯◯ ") in front of each line.
  const w = width - 4;
  const ok = found.ok.map((s, i): Choice<string> => ({
    value: s.id,
    short: s.id,
    name: fit(`${i + 1}. ${s.id} ${s.version} (${s.name}): ${s.description}`, w),
    description: fit(s.description, width),
    checked: enabled.includes(s.id),
  }));
  const broken = found.broken.map((b, i): Choice<string> => {
    const id = basename(b.file, '.ts');
    const label = `${found.ok.length + i + 1}. ${id} BROKEN`;
    return { value: `broken:${b.file}`, name: label, disabled: fit(`(${oneLine(b.error)})`, Math.max(10, w - label.length - 3)) };
  });
  return [...ok, ...broken];
}

/** An error's first line without the absolute file path it repeats. */
function oneLine(error: string): string {
  return error.split('\n')[0]!.replace(/^\/\S+: /, '');
}
