/**
 * equity.png and drawdown.png of a run: the equity curve against buy-and-hold, and the underwater
 * drawdown, drawn as SVG by svg-time-chart.ts and rasterised by resvg (no browser).
 */
import { svgToPng } from './render-png.ts';
import { svgTimeChart } from './svg-time-chart.ts';

export interface RunChartsInput {
  /** "simple_ma · BTC/USDT · 1h · backtest-..." */
  readonly subtitle: string;
  readonly ts: ArrayLike<number>;
  readonly equity: ArrayLike<number>;
  /** (peak - equity) / peak, >= 0. */
  readonly drawdown: ArrayLike<number>;
  /** Buy-and-hold value in quote currency on its own times; absent when it cannot be built. */
  readonly benchmark?: { readonly ts: ArrayLike<number>; readonly values: ArrayLike<number> };
}

export function equityPng(r: RunChartsInput): Buffer {
  const series = [{ name: 'Strategy equity', color: '#2962ff', ts: r.ts, values: r.equity }];
  if (r.benchmark) series.push({ name: 'Buy and hold', color: '#ff6d00', ts: r.benchmark.ts, values: r.benchmark.values });
  return svgToPng(svgTimeChart({ title: 'Equity', subtitle: r.subtitle, series, format: 'money', width: 1200, height: 480 }));
}

export function drawdownPng(r: RunChartsInput): Buffer {
  const under = new Float64Array(r.drawdown.length);
  for (let i = 0; i < under.length; i++) under[i] = -r.drawdown[i]!;
  return svgToPng(svgTimeChart({
    title: 'Drawdown (underwater)', subtitle: r.subtitle, format: 'percent', width: 1200, height: 360,
    series: [{ name: 'Drawdown from peak', color: '#c62828', ts: r.ts, values: under, area: true }],
  }));
}
