import { runBacktest } from './src/app/run-backtest.ts';
import { silentLogger } from './src/observability/logger.ts';
import { configWith, importShared, tempWorkspace } from './tests/support/backtest-env.ts';
const ws = tempWorkspace('ct-prof-');
const base = [...ws.sets, 'backtest.data_exchange=binance', 'backtest.from=2018-01-01', 'backtest.to=2026-05-16T19:00:00Z', 'backtest.auto_download=false', 'market.symbols=BTC/USDT', 'strategies.enabled=simple_ma', 'strategies.isolation=inline'];
await importShared(configWith(base).config.general.data_dir, [{ file: 'BTCUSDT-1h.csv', symbol: 'BTC/USDT' }]);
for (let i = 0; i < 6; i++) {
  const { config, raw } = configWith(base);
  const r = await runBacktest({ config, raw, logger: silentLogger() });
  console.log(JSON.stringify(r.timings));
}
