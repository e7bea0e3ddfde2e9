/**
 * Import direction between the layers of src/ (see docs/ARCHITECTURE.md). Anything not listed in
 * `allowed` fails `npm run lint` (which `npm test` runs first), and so does anything a `forbidden`
 * rule names. tests/unit/lint/boundaries.test.ts proves that each forbidden import fails the lint.
 */
const strategyImports = require('./src/strategy-sdk/allowed-imports.json');

const layer = (name) => `^src/${name}/`;
const to = (...names) => `^(src/(${names.join('|')})/|node_modules|node:)`;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The folders and files a strategy file may import (src/strategy-sdk/allowed-imports.json). */
const STRATEGY_ALLOWED = `^(${[...strategyImports.folders.map((d) => `${escape(d)}/`), ...strategyImports.files.map((f) => `${escape(f)}$`)].join('|')})`;

/** Layers that decide and must stay free of I/O: they are driven with data and give data back. */
const PURE_LAYERS = '^src/(engine|execution|domain|strategy-sdk|indicators)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle, type-only imports included: a cycle of types is still two files that cannot be understood alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'pure-layers-do-no-io',
      comment: 'engine, execution, domain, the strategy SDK and the indicators never touch files, the database, the exchange, sockets or the logger; those are given to them through ports by app/.',
      severity: 'error',
      from: { path: PURE_LAYERS },
      to: { path: ['^(node:)?fs(/promises)?$', 'node_modules/(@types/)?(better-sqlite3|ccxt|ws|pino)/'] },
    },
    {
      name: 'strategies-import-only-the-sdk',
      comment: 'Strategies do no I/O and never read the clock: they may import only the strategy SDK (src/strategy-sdk/allowed-imports.json, the list the strategy source check uses too).',
      severity: 'error',
      from: { path: '^strategies/' },
      to: { pathNot: STRATEGY_ALLOWED },
    },
    {
      name: 'venues-know-nothing-of-the-store',
      comment: 'data/ (the store and the history downloader that fills it) uses venues/; a venue adapter never imports data/.',
      severity: 'error',
      from: { path: layer('venues') },
      to: { path: layer('data') },
    },
  ],
  allowed: [
    { from: { path: '^(src/|main\\.ts)' }, to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-no-pkg', 'npm-unknown'] } },
    { from: { path: '^(main\\.ts|src/cli/)' }, to: { path: '.' } },
    { from: { path: layer('app') }, to: { path: to('core', 'domain', 'config', 'observability', 'persistence', 'data', 'venues', 'indicators', 'strategies', 'strategy-sdk', 'engine', 'execution', 'workers', 'reporting', 'app', 'preflight', 'research') } },
    // Research runs (walk-forward, the ranking evaluation): built on the app's backtest and the engine.
    { from: { path: layer('research') }, to: { path: to('core', 'domain', 'config', 'observability', 'persistence', 'data', 'indicators', 'strategies', 'strategy-sdk', 'engine', 'execution', 'workers', 'reporting', 'app', 'research') } },
    // The local dashboard: reads the state DB and results, starts backtests as CLI processes.
    { from: { path: layer('server') }, to: { path: to('core', 'domain', 'config', 'observability', 'persistence', 'strategies', 'strategy-sdk', 'reporting', 'server') } },
    { from: { path: layer('preflight') }, to: { path: to('core', 'domain', 'config', 'observability', 'persistence', 'data', 'venues', 'indicators', 'strategies', 'strategy-sdk', 'engine', 'app', 'preflight') } },
    { from: { path: layer('core') }, to: { path: to('core') } },
    { from: { path: layer('domain') }, to: { path: to('core', 'domain') } },
    { from: { path: layer('config') }, to: { path: to('core', 'domain', 'config') } },
    { from: { path: layer('observability') }, to: { path: to('core', 'observability') } },
    { from: { path: layer('persistence') }, to: { path: to('core', 'domain', 'persistence') } },
    { from: { path: layer('indicators') }, to: { path: to('core', 'indicators') } },
    { from: { path: layer('reporting') }, to: { path: to('core', 'domain', 'reporting') } },
    { from: { path: layer('venues') }, to: { path: to('core', 'domain', 'observability', 'venues') } },
    { from: { path: layer('data') }, to: { path: to('core', 'domain', 'observability', 'data', 'venues') } },
    // The strategy SDK: what a strategy file may import. It knows nothing of how strategies are run.
    { from: { path: layer('strategy-sdk') }, to: { path: to('core', 'domain', 'indicators', 'strategy-sdk') } },
    // The host side of strategies: runner, loader and discovery, look-ahead check, source check.
    { from: { path: layer('strategies') }, to: { path: to('core', 'domain', 'indicators', 'strategy-sdk', 'strategies') } },
    // The built-in registry (src/strategies/loader.ts) loads the built-in strategy modules.
    { from: { path: '^src/strategies/loader\\.ts$' }, to: { path: '^strategies/builtins/' } },
    { from: { path: '^strategies/' }, to: { path: STRATEGY_ALLOWED } },
    { from: { path: layer('execution') }, to: { path: to('core', 'domain', 'indicators', 'execution') } },
    // The Bybit adapter is written against the private-API port (types only); app/ gives it the implementation.
    { from: { path: '^src/execution/bybit/' }, to: { path: '^src/venues/bybit/private-types\\.ts$', dependencyTypes: ['type-only'] } },
    { from: { path: layer('engine') }, to: { path: to('core', 'domain', 'indicators', 'engine') } },
    // The engine talks to execution only through the ExecutionAdapter interface (a type).
    { from: { path: layer('engine') }, to: { path: to('execution'), dependencyTypes: ['type-only'] } },
    { from: { path: layer('workers') }, to: { path: to('core', 'domain', 'observability', 'strategies', 'workers') } },
    // The host group implements the candle loop's port (a type), nothing more of the engine.
    { from: { path: layer('workers') }, to: { path: '^src/engine/ports\\.ts$', dependencyTypes: ['type-only'] } },
    { from: { path: layer('workers') }, to: { path: to('config'), dependencyTypes: ['type-only'] } },
  ],
  allowedSeverity: 'error',
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|tests|scripts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'require', 'node', 'default'], exportsFields: ['exports'], mainFields: ['module', 'main', 'types'] },
  },
};
