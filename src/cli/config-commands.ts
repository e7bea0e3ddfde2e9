import type { Command } from 'commander';
import { resolvedIniText } from '../config/resolved.ts';
import { buildContext } from './context.ts';
import { mergedGlobals } from './global-options.ts';
import { emitResult } from './output.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate the configuration');
  config
    .command('check')
    .description('validate the config file (and --set overrides); exit 2 naming every bad key')
    .action(async (_o, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd));
      emitResult(ctx.opts.json, { ok: true, file: ctx.config.source, mode: ctx.config.general.mode }, `${ctx.config.source}: OK (mode ${ctx.config.general.mode})`);
    });
  config
    .command('show')
    .description('print the effective config (file + defaults + overrides) as INI; secrets are env var names only')
    .action(async (_o, cmd: Command) => {
      const ctx = await buildContext(mergedGlobals(cmd));
      const text = resolvedIniText(ctx.raw, ctx.config.strategies.enabled);
      emitResult(ctx.opts.json, { file: ctx.config.source, ini: text }, text);
    });
}
