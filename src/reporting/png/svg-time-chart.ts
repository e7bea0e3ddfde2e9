/**
 * A time-series chart as SVG, drawn by our code for equity.png and drawdown.png: title, legend,
 * a value axis with round ticks, a UTC date axis, one polyline per series (or a filled area down
 * from zero for an underwater curve). Long series are reduced to the min and max of each pixel
 * column, so the picture is exact (every extreme is drawn) and the SVG stays small.
 */
import { escapeHtml } from '../html/escape.ts';
import { CHART_FONT } from './render-png.ts';

export interface SvgSeries {
  readonly name: string;
  readonly color: string;
  readonly ts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  /** Fill between the line and zero. */
  readonly area?: boolean;
  readonly dashed?: boolean;
}

export interface SvgChartInput {
  readonly title: string;
  readonly subtitle?: string;
  readonly series: readonly SvgSeries[];
  readonly width?: number;
  readonly height?: number;
  readonly format?: 'percent' | 'money';
}

const M = { left: 84, right: 24, top: 58, bottom: 46 };
const DAY = 86_400_000;

export function svgTimeChart(c: SvgChartInput): string {
  const W = c.width ?? 1200, H = c.height ?? 480;
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  let t0 = Infinity, t1 = -Infinity, v0 = Infinity, v1 = -Infinity;
  for (const s of c.series) {
    for (let i = 0; i < s.ts.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v)) continue;
      const t = s.ts[i]!;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
    if (s.area) {
      v0 = Math.min(v0, 0);
      v1 = Math.max(v1, 0);
    }
  }
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${CHART_FONT}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="17" font-weight="bold" fill="#1f2328">${escapeHtml(c.title)}</text>`,
  ];
  if (c.subtitle) out.push(`<text x="${M.left}" y="43" font-size="12" fill="#57606a">${escapeHtml(c.subtitle)}</text>`);
  if (!(t1 >= t0)) {
    out.push(`<text x="${W / 2}" y="${H / 2}" font-size="14" text-anchor="middle" fill="#57606a">no data</text></svg>`);
    return out.join('\n');
  }
  if (t1 === t0) t1 = t0 + DAY;
  if (v1 === v0) {
    v0 -= Math.abs(v0) * 0.01 || 1;
    v1 += Math.abs(v1) * 0.01 || 1;
  }
  const yt = niceTicks(v0, v1, 6);
  const lo = yt[0]!, hi = yt.at(-1)!;
  const x = (t: number): number => M.left + ((t - t0) / (t1 - t0)) * pw;
  const y = (v: number): number => M.top + (1 - (v - lo) / (hi - lo)) * ph;
  const fmt = c.format === 'percent' ? (v: number) => `${(v * 100).toFixed(Math.abs(hi - lo) < 0.05 ? 1 : 0)}%` : moneyTick;

  out.push(`<g font-size="11" fill="#57606a">`);
  for (const v of yt) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${yy}" y2="${yy}" stroke="#eaeef2"/>`);
    out.push(`<text x="${M.left - 8}" y="${yy}" dy="4" text-anchor="end">${escapeHtml(fmt(v))}</text>`);
  }
  for (const tk of dateTicks(t0, t1)) {
    const xx = x(tk.ts).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f3f6"/>`);
    out.push(`<text x="${xx}" y="${M.top + ph + 18}" text-anchor="middle">${tk.label}</text>`);
  }
  out.push('</g>');
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#d0d7de"/>`);
  if (lo < 0 && hi > 0) out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#8c959f"/>`);

  for (const s of c.series) {
    const pts = reduceToPixels(s.ts, s.values, x, y, pw);
    if (pts.length === 0) continue;
    const line = pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
    if (s.area) {
      const base = y(0).toFixed(1);
      out.push(`<polygon points="${pts[0]![0].toFixed(1)},${base} ${line} ${pts.at(-1)![0].toFixed(1)},${base}" fill="${s.color}" fill-opacity="0.25" stroke="none"/>`);
    }
    out.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
  }
  // Legend, top right.
  let lx = W - M.right;
  const legend: string[] = [];
  for (const s of [...c.series].reverse()) {
    const w = 28 + s.name.length * 7;
    lx -= w;
    legend.push(`<line x1="${lx}" x2="${lx + 18}" y1="38" y2="38" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${lx + 23}" y="42" font-size="12" fill="#1f2328">${escapeHtml(s.name)}</text>`);
  }
  out.push(...legend, '</svg>');
  return out.join('\n');
}

/**
 * The series as at most 2 points per pixel column: its min and max, in time order (the vertical
 * stroke between them is what the column shows; the join to the next column is one pixel wide).
 */
function reduceToPixels(ts: ArrayLike<number>, vs: ArrayLike<number>, x: (t: number) => number, y: (v: number) => number, pw: number): [number, number][] {
  const out: [number, number][] = [];
  const n = ts.length;
  if (n <= pw * 2) {
    for (let i = 0; i < n; i++) if (Number.isFinite(vs[i]!)) out.push([x(ts[i]!), y(vs[i]!)]);
    return out;
  }
  let col = NaN, mn = -1, mx = -1;
  const flush = (): void => {
    if (mn < 0) return;
    const a = Math.min(mn, mx), b = Math.max(mn, mx);
    out.push([x(ts[a]!), y(vs[a]!)]);
    if (b !== a) out.push([x(ts[b]!), y(vs[b]!)]);
  };
  for (let i = 0; i < n; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v)) continue;
    const c = Math.floor(x(ts[i]!));
    if (c !== col) {
      flush();
      col = c;
      mn = mx = i;
    }
    if (v < vs[mn]!) mn = i;
    if (v > vs[mx]!) mx = i;
  }
  flush();
  return out;
}

/** About `count` round values covering [lo, hi] (steps of 1, 2, 2.5 or 5 x 10^k). */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // From the step at or below lo to the step at or above hi: the data never touches the frame.
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  for (let i = first; i <= last; i++) out.push(Number((i * step).toPrecision(12))); // -0.15, not -0.15000000000000002
  return out;
}

/** UTC date ticks at a round spacing (days, months or years) giving about 5-10 labels. */
export function dateTicks(t0: number, t1: number): { ts: number; label: string }[] {
  const spanDays = (t1 - t0) / DAY;
  const out: { ts: number; label: string }[] = [];
  const d = new Date(t0);
  if (spanDays <= 60) {
    const every = [1, 2, 5, 7, 14].find((k) => spanDays / k <= 9) ?? 14;
    let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    for (; t <= t1; t += every * DAY) if (t >= t0) out.push({ ts: t, label: new Date(t).toISOString().slice(0, 10) });
    return out;
  }
  const months = spanDays / 30.44;
  const every = [1, 2, 3, 6, 12, 24, 36].find((k) => months / k <= 9) ?? 48;
  let y = d.getUTCFullYear(), m = d.getUTCMonth();
  m = Math.ceil(m / Math.min(every, 12)) * Math.min(every, 12);
  for (;;) {
    const t = Date.UTC(y, m, 1);
    if (t > t1) break;
    const date = new Date(t);
    if (t >= t0 && (every < 12 || date.getUTCFullYear() % (every / 12) === 0)) {
      out.push({ ts: t, label: every >= 12 ? String(date.getUTCFullYear()) : date.toISOString().slice(0, 7) });
    }
    m += Math.min(every, 12);
  }
  return out;
}

function moneyTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return a >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(2);
}
