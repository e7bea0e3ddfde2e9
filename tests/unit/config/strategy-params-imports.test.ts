import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_IDS } from '../../../src/strategies/loader.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

/**
 * Checking strategy parameters loads the strategy modules in the CLI process, on every command. It
 * must stay cheap: a child process records every module it resolves (a real module hook) while it
 * checks the config with every built-in enabled, and none of the heavy libraries may be among them.
 */
describe('strategy parameter check at load', () => {
  it('loads every built-in strategy without ccxt, piscina, ws or the Parquet libraries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-imports-'));
    const log = join(dir, 'resolved.txt');
    writeFileSync(log, '');
    writeFileSync(join(dir, 'hook.mjs'), [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  const r = await next(specifier, context);',
      "  appendFileSync(process.env.CT_RESOLVED_LOG, r.url + '\\n');",
      '  return r;',
      '}',
    ].join('\n'));
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
    const src = (p: string): string => JSON.stringify(pathToFileURL(join(REPO_ROOT, p)).href);
    const script = [
      `const { loadConfig } = await import(${src('src/config/load.ts')});`,
      `const { checkStrategyParams } = await import(${src('src/app/strategy-params.ts')});`,
      `const { config, raw } = loadConfig({ file: 'config/config.ini', sets: ['strategies.enabled=${BUILTIN_IDS.join(',')}'] });`,
      'await checkStrategyParams(config, raw);',
      "console.log('checked', config.strategies.enabled.length);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CT_RESOLVED_LOG: log },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`checked ${BUILTIN_IDS.length}`);
    const resolved = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    expect(resolved.some((u) => u.includes('/strategies/builtins/macd_rsi_confluence.ts'))).toBe(true);
    const heavy = resolved.filter((u) => /\/node_modules\/(ccxt|piscina|ws|hyparquet|parquetjs-lite|better-sqlite3)\//.test(u));
    expect(heavy).toEqual([]);
  });
});
