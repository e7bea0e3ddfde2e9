import { describe, expect, it } from 'vitest';
import { packValues, encodeTimes } from '../../../src/reporting/html/compact-series.ts';
import { coarsenCandles, coarsenSeries, mergeFactor } from '../../../src/reporting/html/coarsen.ts';
import { renderReportPage } from '../../../src/reporting/html/page.ts';
import { priceChartSection } from '../../../src/reporting/html/price-chart-section.ts';
import type { Fill } from '../../../src/domain/order.ts';
import { dataTableSection, lineChartSection, notesSection } from '../../../src/reporting/html/sections.ts';
import { monthlyReturns } from '../../../src/reporting/monthly-returns.ts';
import { dateTicks, niceTicks, svgTimeChart } from '../../../src/reporting/png/svg-time-chart.ts';

/** What the page's unpack() does (client-runtime.ts), to check the encoding round-trips. */
function unpack(p: { k: number; d: (number | null)[] }): (number | null)[] {
  let q = 0;
  return p.d.map((d) => (d === null ? null : ((q += d), p.k >= 0 ? q / 10 ** p.k : q * 10 ** -p.k)));
}

describe('the report page', () => {
  it('is one self-contained file: the chart library inlined, no external URL, script-breaking text escaped', () => {
    const html = renderReportPage({
      title: 'T </script><script>alert(1)</script>',
      sections: [
        notesSection({ id: 'n', title: 'Notes', bullets: ['</script><b>x</b>'] }),
        dataTableSection({ id: 't', title: 'Table', columns: [{ label: 'a' }], rows: [{ cells: ['</script>'], focus: { from: 0, to: 3_600_000 } }] }),
        lineChartSection({ id: 'c', title: 'Chart', series: [{ name: '</script>', ts: [0, 3_600_000], values: [1, 2] }] }),
      ],
    });
    expect(html).toContain('LightweightCharts');
    expect(html.match(/<script/g)!.length).toBe(html.match(/<\/script>/g)!.length);
    expect(html).not.toMatch(/<script[^>]*src=|<link[^>]*href=|https?:\/\/(?!www\.w3\.org)[^"' ]*\.(js|css)/);
    // Only our own two scripts and one JSON block per interactive section.
    expect(html.match(/<script>/g)).toHaveLength(2);
    expect(html.match(/<script type="application\/json"/g)).toHaveLength(2);
    expect(() => renderReportPage({ title: 'x', sections: [notesSection({ id: 'a', title: 'a' }), notesSection({ id: 'a', title: 'b' })] })).toThrow(/two sections have the id 'a'/);
  });

  it('packs long series compactly and exactly to 7 significant digits', () => {
    const v = [43123.456789, 43100.01, Number.NaN, 0.5, -12.25];
    const back = unpack(packValues(v));
    expect(back[0]).toBeCloseTo(43123.46, 6);
    expect(back[1]).toBeCloseTo(43100.01, 6);
    expect(back[2]).toBeNull();
    expect(back[4]).toBeCloseTo(-12.25, 6);
    // Times: seconds, run-length encoded deltas (a gap of 3 hours after the 3rd candle).
    expect(encodeTimes([3_600_000, 7_200_000, 10_800_000, 21_600_000, 25_200_000])).toEqual([3600, 3600, 2, 10_800, 1, 3600, 1]);
    expect(encodeTimes([])).toEqual([]);
    const small = unpack(packValues([0.000123456, 0.000123999]));
    expect(small[1]).toBeCloseTo(0.000123999, 12);
  });
});

describe('the price chart of a very long run', () => {
  it('merges candles into coarser bars past the bar budget and still draws one marker per fill, on the bar holding it', () => {
    const H = 3_600_000;
    const n = 10;
    const c = {
      length: n, ts: Float64Array.from({ length: n }, (_, i) => i * H), open: Float64Array.from({ length: n }, (_, i) => 100 + i),
      high: Float64Array.from({ length: n }, (_, i) => 101 + i + (i === 4 ? 50 : 0)), low: Float64Array.from({ length: n }, (_, i) => 99 + i),
      close: Float64Array.from({ length: n }, (_, i) => 100.5 + i), volume: new Float64Array(n).fill(1),
    };
    expect(mergeFactor(150_000)).toBe(1);
    expect(mergeFactor(4_200_000)).toBe(28);
    const k3 = coarsenCandles(c, 3);
    expect(k3.length).toBe(4);
    expect([...k3.ts]).toEqual([0, 3 * H, 6 * H, 9 * H]);
    expect([k3.open[1], k3.high[1], k3.low[1], k3.close[1], k3.volume[1]]).toEqual([103, 155, 102, 105.5, 3]);
    expect([...coarsenSeries(c.ts, [0, 0.1, 0.05, 0, 0.3, 0.2, 0, 0, 0, 0.01], 3, 'max').values]).toEqual([0.1, 0.3, 0, 0.01]);
    const fill = (id: string, side: 'buy' | 'sell', ts: number): Fill => ({ id, orderId: id, strategyId: 's', symbol: 'BTC/USDT', side, qty: 1, price: 100, fee: 0, slippageCost: 0, ts, reason: 'signal' });
    const fills = [fill('a', 'buy', 1 * H), fill('b', 'sell', 2 * H), fill('c', 'buy', 4 * H), fill('d', 'sell', 9 * H)];
    const section = priceChartSection({ id: 'p', title: 'P', candles: new Map([['BTC/USDT', k3]]), fills, trades: [] });
    const markers = (section.data as { symbols: { markers: [number, number, string, number][] }[] }).symbols[0]!.markers;
    expect(markers.map((m) => m[0])).toEqual([0, 0, 3 * 3600, 9 * 3600]);
    expect(markers.map((m) => m[2])).toEqual(['B 1', 'S 1', 'B 1', 'S 1']);
  });
});

describe('monthly returns', () => {
  it('chains each month from the previous month-end (the first from the initial cash) and leaves unmeasured months empty', () => {
    const at = (y: number, m: number, d: number, equity: number) => ({ ts: Date.UTC(y, m, d), cash: equity, equity, exposure: 0, drawdown: 0 });
    const r = monthlyReturns([at(2023, 10, 5, 1100), at(2023, 10, 30, 1210), at(2023, 11, 31, 1089), at(2024, 1, 2, 1089)], 1000);
    expect(r.years).toEqual([2023, 2024]);
    expect(r.months[0]![10]).toBeCloseTo(0.21, 12);
    expect(r.months[0]![11]).toBeCloseTo(-0.1, 12);
    expect(r.months[0]![0]).toBeNull();
    expect(r.months[1]![0]).toBeNull();
    expect(r.months[1]![1]).toBeCloseTo(0, 12);
    expect(r.yearly[0]).toBeCloseTo(0.089, 12);
    expect(r.yearly[1]).toBeCloseTo(0, 12);
  });
});

describe('the SVG charts behind equity.png and drawdown.png', () => {
  it('draws the run: its dates on the time axis, round value ticks around its range, one point per pixel column at most twice', () => {
    const n = 20_000;
    const ts = Array.from({ length: n }, (_, i) => Date.UTC(2021, 0, 1) + i * 3_600_000);
    const values = ts.map((_, i) => 10_000 + 2_000 * Math.sin(i / 1_000));
    const svg = svgTimeChart({ title: 'Equity', series: [{ name: 'Strategy', color: '#2962ff', ts, values }], format: 'money', width: 1200 });
    // ~2.3 years: a label every 6 months; values 8,000-12,000 in round steps.
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(expect.arrayContaining(['2021-07', '2022-01', '2022-07', '12k', '8000', 'Equity']));
    const points = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(' ');
    expect(points.length).toBeLessThanOrEqual(2 * 1100);
    expect(points.length).toBeGreaterThan(1000);
    expect(niceTicks(-0.183, 0, 6)).toEqual([-0.2, -0.15, -0.1, -0.05, 0]);
    expect(dateTicks(Date.UTC(2023, 0, 1), Date.UTC(2023, 2, 2)).map((t) => t.label)[0]).toBe('2023-01-01');
  });
});
