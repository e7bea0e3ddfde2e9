import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { resolvedIniText } from '../../config/resolved.ts';

/**
 * A preset is the run's effective config as one INI file (every key, the chosen strategies'
 * parameter sections), rendered by the same code that writes results/<run>/config.ini, so
 * `--config <preset>` alone runs the same thing again. Holds env var names only, never secrets.
 */
export function presetText(configFile: string, overrides: readonly string[], rerun: string): string {
  const { config, raw } = loadConfig({ file: configFile, sets: [...overrides] });
  const head = [
    '; Preset written by the operator console (npx tsx main.ts --interactive).',
    `; Run it again with: ${rerun}`,
    '',
  ];
  return `${head.join('\n')}\n${resolvedIniText(raw, config.strategies.enabled)}`;
}

/** config/presets/<mode>-<strategies>.ini */
export function defaultPresetPath(mode: string, strategies: readonly string[]): string {
  const name = `${mode}-${strategies.join('+')}`.replace(/[^A-Za-z0-9_+.-]/g, '_').slice(0, 60);
  return `config/presets/${name}.ini`;
}

export function writePreset(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const presetExists = (path: string): boolean => existsSync(path);
