/**
 * Import direction between the layers of src/ (see docs/ARCHITECTURE.md). Anything not listed in
 * `allowed` fails `npm run lint` (which `npm test` runs first). Type-only imports of a port
 * (an interface) are allowed where noted, because they carry no runtime coupling.
 */
const layer = (name) => `^src/${name}/`;
const to = (...names) => `^(src/(${names.join('|')})/|node_modules|node:)`;

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    {
      name: 'strategies-are-pure',
      comment: 'Strategies do no I/O and never read the clock: they may import only the strategy SDK, indicators, domain types and timeframes.',
      severity: 'error',
      from: { path: '^strategies/' },
      to: { pathNot: '^(src/strategy-sdk/|src/indicators/|src/domain/|src/core/timeframe\\.ts$)' },
    },
  ],
  allowed: [
    { from: { path: '^(src/|main\\.ts)' }, to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-no-pkg', 'npm-unknown'] } },
    { from: { path: '^(main\\.ts|src/cli/)' }, to: { path: '.' } },
    { from: { path: layer('app') }, to: { path: to('core', 'domain', 'config', 'observability', 'persistence', 'data', 'venues', 'indicators', 'strategies', 'engine', 'execution', 'workers', 'reporting', 'app') } },
    { from: { path: layer('reporting') }, to: { path: to('core', 'domain', 'reporting') } },
    { from: { path: layer('strategy-sdk') }, to: { path: to('core', 'domain', 'indicators', 'strategy-sdk') } },
    { from: { path: layer('core') }, to: { path: to('core') } },
    { from: { path: layer('domain') }, to: { path: to('core', 'domain') } },
    { from: { path: layer('config') }, to: { path: to('core', 'domain', 'config') } },
    { from: { path: layer('observability') }, to: { path: to('core', 'observability') } },
    { from: { path: layer('persistence') }, to: { path: to('core', 'domain', 'persistence') } },
    { from: { path: layer('indicators') }, to: { path: to('core', 'indicators') } },
    { from: { path: layer('data') }, to: { path: to('core', 'domain', 'observability', 'data', 'venues') } },
    { from: { path: layer('venues') }, to: { path: to('core', 'domain', 'observability', 'data', 'venues') } },
    { from: { path: layer('strategies') }, to: { path: to('core', 'domain', 'indicators', 'data', 'strategy-sdk', 'strategies') } },
    // The built-in registry (src/strategies/loader.ts) loads the built-in strategy modules.
    { from: { path: '^src/strategies/loader\\.ts$' }, to: { path: '^strategies/builtins/' } },
    { from: { path: '^strategies/' }, to: { path: '^(src/strategy-sdk/|src/indicators/|src/domain/|src/core/timeframe\\.ts$)' } },
    { from: { path: layer('execution') }, to: { path: to('core', 'domain', 'indicators', 'execution') } },
    { from: { path: layer('engine') }, to: { path: to('core', 'domain', 'indicators', 'engine') } },
    { from: { path: layer('engine') }, to: { path: to('execution', 'workers', 'persistence', 'observability'), dependencyTypes: ['type-only'] } },
    { from: { path: layer('workers') }, to: { path: to('core', 'domain', 'observability', 'strategies', 'workers', 'app') } },
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
