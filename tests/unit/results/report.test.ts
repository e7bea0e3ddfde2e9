import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../src/reporting/metrics/compute-metrics.ts';
import { formatReport, formatSummaryTable } from '../../../src/reporting/results/report.ts';
import { summaryJson } from '../../../src/reporting/results/summary.ts';
import { HOUR, marks, trade } from '../metrics/fixtures.ts';

// 3 days of 1h marks: too short for CAGR; 1000 -> 1100 with a dip to 900.
const values = Array.from({ length: 72 }, (_, i) => (i === 30 ? 900 : i === 71 ? 1100 : 1000 + (i % 5)));
const metrics = computeMetrics({
  equity: marks(values, HOUR, values.map(() => 1)),
  trades: [trade({ netPnl: 150, strategyId: 'ema_cross' }), trade({ netPnl: -50, strategyId: 'rsi_revert', symbol: 'ETH/USDT' })],
  fills: [],
  initialCash: 1000,
  timeframe: '1h',
  benchmarkCloses: new Map([['BTC/USDT', Float64Array.from(values, (v) => v / 2)]]),
});

describe('summary table', () => {
  it('aligns the strategy beside buy-and-hold, prints signed percentages and n/a for unavailable metrics', () => {
    const table = formatSummaryTable(metrics);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^Metric\s+Strategy\s+Buy & hold$/);
    expect(table).toMatch(/^Total return\s+\+10\.00 %\s+\+10\.00 %$/m);
    expect(table).toMatch(/^CAGR\s+n\/a\s+n\/a$/m);
    expect(table).toMatch(/^Max drawdown\s+-10\.36 %\s+-10\.36 %$/m); // peak 1004 (mark 29) -> 900: 104 / 1004
    expect(table).toMatch(/^Trades\s+2$/m);
    expect(table).toMatch(/^Profit factor\s+3\.00$/m);
    expect(table).toMatch(/^Excess vs buy & hold\s+0\.00 %$/m);
    // Right-aligned value column: every "Strategy" cell ends at the same column.
    const end = lines[0]!.indexOf('Strategy') + 'Strategy'.length;
    for (const l of lines.slice(1)) expect(l.slice(0, end).trimEnd().length, l).toBe(end);
  });
});

describe('report.txt', () => {
  it('lists every section, the reasons for n/a metrics and the fill-model assumptions verbatim', () => {
    const text = formatReport({ metrics, assumptions: ['Orders fill at the next open.', 'Stops fill first.'], trades: [], runId: 'bt-1' });
    for (const h of ['Summary', 'Returns', 'Drawdown', 'Exposure', 'Trades', 'Costs', 'Buy and hold', 'Not available and caveats', 'Fill-model assumptions']) {
      expect(text).toContain(`\n${h}`);
    }
    expect(text).toContain('Run:        bt-1');
    expect(text).toMatch(/returns\.calmar, returns\.cagr: needs a period of at least 30 days|returns\.cagr.*at least 30 days/);
    expect(text).toContain('- Orders fill at the next open.\n- Stops fill first.\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('breaks trades down per strategy and per symbol', () => {
    const text = formatReport({ metrics, assumptions: [], trades: [trade({ netPnl: 150, strategyId: 'ema_cross' }), trade({ netPnl: -50, strategyId: 'rsi_revert', symbol: 'ETH/USDT' })] });
    expect(text).toMatch(/^ema_cross\s+1\s+100\.00 %\s+150\.00\s+n\/a$/m);
    expect(text).toMatch(/^rsi_revert\s+1\s+0\.00 %\s+-50\.00\s+0\.00$/m);
    expect(text).toMatch(/^ETH\/USDT\s+1/m);
  });
});

describe('--json summary', () => {
  it('carries run_id and results_dir with the headline metrics, rounded, nulls kept', () => {
    const s = summaryJson('bt-1', '/tmp/results/bt-1', metrics);
    expect(s.run_id).toBe('bt-1');
    expect(s.results_dir).toBe('/tmp/results/bt-1');
    expect(s.total_return).toBeCloseTo(0.1, 12);
    expect(s.cagr).toBeNull();
    expect(s.trades).toBe(2);
    expect(s.profit_factor).toBe(3);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
