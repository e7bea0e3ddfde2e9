import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';
import { commonGlobals, globalsOf, honours } from './global-options.ts';
import { emitResult } from './output.ts';

/** `strategies list | check`. */
export function registerStrategyCommands(program: Command): void {
  const s = program.command('strategies').description('list and check strategies');

  s.command('list')
    .description('built-in and custom strategies with their inputs; broken custom files are reported, never fatal')
    .action(async (_o, cmd: Command) => {
      const [{ buildContext }, { discoverStrategies }] = await Promise.all([import('./context.ts'), import('../strategies/loader.ts')]);
      const ctx = await buildContext(commonGlobals(globalsOf(cmd)), 'strategies.log');
      const r = await discoverStrategies(resolve(ctx.config.strategies.custom_dir));
      const lines = r.ok.map((x) => {
        const inputs = Object.entries(x.inputs as Record<string, { type: string; default: unknown }>).map(([k, v]) => `${k}=${String(v.default)}`).join(' ');
        return `${x.id.padEnd(24)} ${String(x.version).padEnd(8)} ${x.source.kind.padEnd(8)} ${inputs}\n${''.padEnd(25)}${x.description}${x.ranking ? `\n${''.padEnd(25)}ranking strategy: usable by \`rank\`` : ''}`;
      });
      for (const b of r.broken) lines.push(`BROKEN ${b.file}: ${b.error}`);
      emitResult(ctx.opts.json, r, lines.join('\n'));
    });

  const check = s
    .command('check')
    .description('validate the enabled strategies\' parameters and run the look-ahead check on a seeded synthetic series')
    .option('--candles <n>', 'candles per symbol for the look-ahead check', '3000')
    .action(async (o: { candles: string }, cmd: Command) => {
      const [{ buildContext }, { strategySpecs }, { generateSynthetic }, { lookaheadCheck }, { StrategyRunner }] = await Promise.all([
        import('./context.ts'),
        import('../app/strategy-specs.ts'),
        import('../data/synthetic.ts'),
        import('../strategies/lookahead.ts'),
        import('../strategies/runner.ts'),
      ]);
      const ctx = await buildContext(globalsOf(cmd), 'strategies.log');
      const n = Number(o.candles);
      if (!Number.isInteger(n) || n < 100) throw new CtError('CT_ERR_USAGE', `--candles ${o.candles}: expected a whole number >= 100`);
      const symbols = ctx.config.market.symbols;
      const data = generateSynthetic({ seed: ctx.config.dry_run.seed, symbols, timeframe: ctx.config.market.timeframe, from: ctx.config.dry_run.start ?? 0, count: n });
      const results = [];
      for (const spec of strategySpecs(ctx.config, symbols)) {
        await StrategyRunner.create(spec); // parameter validation: throws CT_ERR_STRATEGY_PARAM_INVALID naming strategy.<id>.<param>
        const r = await lookaheadCheck(spec, symbols.map((symbol) => ({ symbol, candles: data.get(symbol)! })));
        results.push({ id: spec.instanceId, ok: r.ok, message: r.message, signals: r.fullSignals });
      }
      const failed = results.filter((r) => !r.ok);
      emitResult(ctx.opts.json, { results }, results.map((r) => `${r.ok ? 'OK    ' : 'FAILED'} ${r.id}: ${r.message}`).join('\n'));
      if (failed.length > 0) throw new CtError('CT_ERR_STRATEGY_LOAD', `look-ahead check failed for ${failed.map((f) => f.id).join(', ')}`);
    });
  honours(check, ['strategies', 'symbols', 'timeframe', 'market', ['seed', 'seed of the synthetic series for the look-ahead check (dry_run.seed)']]);
}
