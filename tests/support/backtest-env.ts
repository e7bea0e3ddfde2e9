import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOverrides, rawFromIniText, validateConfig, type RawConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { importCsv } from '../../src/data/import-csv.ts';
import type { Timeframe } from '../../src/core/timeframe.ts';
import { REPO_ROOT, sharedFile } from './shared-data.ts';

/** A temp workspace (data, State, results, logs) for a real run. */
export function tempWorkspace(prefix = 'ct-run-'): { root: string; sets: string[] } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    sets: [`general.data_dir=${join(root, 'data')}`, `general.state_dir=${join(root, 'State')}`, `general.results_dir=${join(root, 'results')}`, `general.log_dir=${join(root, 'logs')}`],
  };
}

/** The shipped config plus overrides, validated exactly as the CLI does. */
export function configWith(sets: string[]): { config: Config; raw: RawConfig } {
  const raw = rawFromIniText(readFileSync(join(REPO_ROOT, 'config', 'config.ini'), 'utf8'));
  applyOverrides(raw, sets);
  return { config: validateConfig(raw, 'config.ini'), raw };
}

/** Imports shared CSVs into a data dir through the real import path. */
export async function importShared(dataDir: string, files: ReadonlyArray<{ file: string; symbol: string }>, timeframe: Timeframe = '1h'): Promise<void> {
  for (const f of files) {
    await importCsv({ dataDir, file: sharedFile(f.file), symbol: f.symbol, timeframe, exchange: 'binance', market: 'spot' });
  }
}
