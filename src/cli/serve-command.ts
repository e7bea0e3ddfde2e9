import type { Command } from 'commander';
import { CtError } from '../core/errors.ts';
import { globalsOf, honours, type GlobalOptions } from './global-options.ts';

/**
 * `serve`: the local dashboard on 127.0.0.1 (src/server/). It shows the strategies, every run of
 * the state database with its report, compares runs, follows running ones, and starts backtests
 * as child processes of this same CLI with this command's config file and --set overrides. It
 * runs until Ctrl-C or SIGTERM.
 */
export function registerServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('the local dashboard on 127.0.0.1: strategies, every run with sorting, filters, comparison and reports, live runs, and a form that starts backtests')
    .option('--port <n>', 'port on 127.0.0.1 (serve.port; 0 = any free port, printed at start)')
    .action(async (o: { port?: string }, cmd: Command) => runServe(o, globalsOf(cmd)));
  honours(serve, []);
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n > 65_535) throw new CtError('CT_ERR_USAGE', `--port ${v}: expected a whole number 0..65535 (0 = any free port)`, { details: { option: '--port', value: v } });
  return n;
}

async function runServe(o: { port?: string }, g: GlobalOptions): Promise<void> {
  // Checked before the config is read, so the message names the flag the user typed.
  const portOption = o.port === undefined ? undefined : parsePort(o.port);
  const [{ buildContext }, { resolve, dirname, join }, { createRequire }, { availableParallelism }, { discoverStrategies }, { loadConfig }, { checkStrategyParams }, { isoUtc }, server, { RunStore }, { BacktestLauncher }, { buildRunReport }] = await Promise.all([
    import('./context.ts'),
    import('node:path'),
    import('node:module'),
    import('node:os'),
    import('../strategies/loader.ts'),
    import('../config/load.ts'),
    import('../app/strategy-params.ts'),
    import('../core/time.ts'),
    import('../server/dashboard-server.ts'),
    import('../server/run-store.ts'),
    import('../server/backtest-launcher.ts'),
    import('../app/run-results.ts'),
  ]);
  const ctx = await buildContext({ config: g.config, set: g.set, json: g.json, logLevel: g.logLevel }, 'serve.log');
  const { config } = ctx;
  const found = await discoverStrategies(resolve(config.strategies.custom_dir));
  const strategies = found.ok.map((s) => ({
    id: s.id, name: s.name, version: s.version, description: s.description, universe: s.universe, inputs: s.inputs,
    source: s.source.kind === 'builtin' ? 'built in' : 'custom file',
  }));
  // Daemon runs (no backtest summary) get the metrics `runs show` computes from their rows.
  const store = new RunStore(config.general.state_dir, config.general.results_dir, config.general.db_busy_timeout_ms, (db, run) => buildRunReport(db, run).metrics);
  // Backtests run on this very CLI (dist/main.js, or main.ts under tsx with the same loader flags),
  // with this command's config file and overrides, and then the form's.
  const launcher = new BacktestLauncher(
    { command: process.execPath, args: [...process.execArgv, process.argv[1]!], cwd: process.cwd() },
    ['--config', g.config, ...g.set.flatMap((s) => ['--set', s])],
    store,
  );
  const chartLibraryFile = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');
  const day = (ms: number | null): string => (ms === null ? '' : isoUtc(ms).slice(0, 10));

  const dashboard = server.createDashboard({
    port: portOption ?? config.serve.port,
    store,
    launcher,
    strategies,
    brokenStrategies: found.broken.map((b) => ({ file: b.file, error: b.error })),
    defaults: {
      strategy: config.strategies.enabled[0] ?? strategies[0]?.id ?? '',
      symbols: config.market.symbols.join(','),
      timeframe: config.market.timeframe,
      from: day(config.backtest.from),
      to: day(config.backtest.to),
    },
    // Exactly what the CLI checks when the backtest starts (config validation with the sets, each
    // strategy's schema and its cross-parameter rule), so the form is refused with the CLI's message.
    async checkBacktest(sets) {
      const loaded = loadConfig({ file: g.config, sets: [...g.set, ...sets] });
      await checkStrategyParams(loaded.config, loaded.raw);
      return { fromTs: loaded.config.backtest.from!, toTs: loaded.config.backtest.to! };
    },
    chartLibraryFile,
    maxConcurrentBacktests: availableParallelism(),
  });
  let url: string;
  try {
    url = await dashboard.listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CtError('CT_ERR_USAGE', `serve: cannot listen on 127.0.0.1:${portOption ?? config.serve.port} (${err.code ?? err.message}); choose another with --port N (0 = any free port)`, { details: { value: portOption ?? config.serve.port } });
  }
  ctx.logger.info({ url, strategies: strategies.length }, 'dashboard started');
  process.stdout.write(`dashboard: ${url}  (127.0.0.1 only; Ctrl-C stops it)\n`);

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  // Backtests still running end `interrupted` with their results (they also stop by themselves when their launcher is gone).
  await launcher.stopAll();
  await new Promise<void>((done) => {
    dashboard.server.close(() => done());
    dashboard.server.closeAllConnections();
  });
  ctx.logger.info({ signal }, 'dashboard stopped');
  process.stdout.write(`dashboard stopped (${signal})\n`);
}
