import type { Command } from 'commander';
import { globalsOf, honours, type GlobalName } from './global-options.ts';
import { emitResult } from './output.ts';

/** Every config shorthand (`shorthandSets`): `config check` and `config show` validate/print what a run would use. */
const CONFIG_SHORTHANDS: readonly GlobalName[] = ['mode', 'speed', 'seed', 'strategies', 'symbols', 'timeframe', 'market', 'from', 'to', 'isolation'];

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate the configuration');
  const check = config
    .command('check')
    .description('validate the config file (and --set overrides); exit 2 naming every bad key')
    .action(async (_o, cmd: Command) => {
      const { buildContext } = await import('./context.ts');
      const ctx = await buildContext(globalsOf(cmd));
      emitResult(ctx.opts.json, { ok: true, file: ctx.config.source, mode: ctx.config.general.mode }, `${ctx.config.source}: OK (mode ${ctx.config.general.mode})`);
    });
  const show = config
    .command('show')
    .description('print the effective config (file + defaults + overrides) as INI; secrets are env var names only')
    .action(async (_o, cmd: Command) => {
      const [{ buildContext }, { resolvedIniText }] = await Promise.all([import('./context.ts'), import('../config/resolved.ts')]);
      const ctx = await buildContext(globalsOf(cmd));
      const text = resolvedIniText(ctx.raw, ctx.config.strategies.enabled);
      emitResult(ctx.opts.json, { file: ctx.config.source, ini: text }, text);
    });
  honours(check, CONFIG_SHORTHANDS);
  honours(show, CONFIG_SHORTHANDS);
}
