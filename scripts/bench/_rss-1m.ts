/** Child of the backtest bench: an 8-year 1m synthetic backtest (4.2M candles); prints peak RSS. */
import { runBacktest } from '../../src/app/modes/backtest.ts';
import { generateSynthetic } from '../../src/data/synthetic.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { configWith, tempWorkspace } from '../../tests/support/backtest-env.ts';

const ws = tempWorkspace('ct-bench-rss-');
const from = Date.UTC(2018, 0, 1);
const count = 8 * 365 * 1440;
const t0 = performance.now();
const candles = generateSynthetic({ seed: 7, symbols: ['BTC/USDT'], timeframe: '1m', from, count });
const { config, raw } = configWith([...ws.sets, 'market.symbols=BTC/USDT', 'market.timeframe=1m', 'strategies.enabled=simple_ma', 'strategies.isolation=inline',
  'backtest.from=2018-01-01', `backtest.to=${new Date(from + count * 60_000).toISOString()}`, 'backtest.auto_download=false']);
const r = await runBacktest({ config, raw, logger: silentLogger(), candles });
console.log(JSON.stringify({ candles: r.candles, maxRssMb: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - t0) / 1000 }));
