// Server-rendered SVG charts: a sparkline, best/mean reward per generation against a baseline band, training curves.
import { h, num, type SafeHtml } from './html.js';

export interface GenerationPoint {
  generation: number;
  best: number | null;
  mean: number | null;
}

export interface Band {
  low: number;
  mid: number;
  high: number;
}

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
const MAX_POINTS = 400;

const finite = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Keeps at most `max` evenly spaced points (the last one always). */
export function thin<T>(points: readonly T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return [...points];
  const step = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)] as T);
  out.push(points[points.length - 1] as T);
  return out;
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - Math.abs(lo || 1) * 0.05, hi + Math.abs(hi || 1) * 0.05];
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

const scale = (d0: number, d1: number, r0: number, r1: number) => (v: number) =>
  d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

const pathOf = (points: [number, number][]): string =>
  points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');

/** The running best of a series, as a small line (no axes); empty when nothing succeeded yet. */
export function sparkline(values: readonly (number | null)[], width = 120, height = 24): SafeHtml {
  const best: number[] = [];
  let running = -Infinity;
  for (const v of values) {
    if (finite(v) && v > running) running = v;
    if (Number.isFinite(running)) best.push(running);
  }
  if (best.length === 0) return h`<span class="muted">—</span>`;
  const series = thin(best, 100);
  const [lo, hi] = extent(series);
  const x = scale(0, Math.max(1, series.length - 1), 2, width - 2);
  const y = scale(lo, hi, height - 2, 2);
  const d = pathOf(series.map((v, i) => [x(i), y(v)]));
  return h`<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="best reward so far: ${num(running)}"><path d="${d}" fill="none" stroke="#2563eb" stroke-width="1.5"/></svg>`;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  axes: SafeHtml;
}

const W = 640;
const H = 260;
const M = { left: 56, right: 12, top: 12, bottom: 30 };

function frame(xs: number[], ys: number[], xLabel: string): Frame {
  const [x0, x1] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = extent(ys);
  const x = scale(x0, x1 === x0 ? x0 + 1 : x1, M.left, W - M.right);
  const y = scale(y0, y1, H - M.bottom, M.top);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => y0 + (y1 - y0) * t);
  const grid = ticks.map(
    (t) =>
      h`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/><text x="${M.left - 4}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${num(t, 3)}</text>`,
  );
  const xticks = [...new Set([x0, Math.round((x0 + x1) / 2), x1])].map(
    (t) => h`<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${num(t, 0)}</text>`,
  );
  const axes = h`${grid}${xticks}<text x="${W - M.right}" y="${H - 2}" text-anchor="end" class="muted">${xLabel}</text>`;
  return { x, y, axes };
}

const legend = (items: { label: string; colour: string; dash?: boolean }[]): SafeHtml =>
  h`<div class="legend">${items.map(
    (item) =>
      h`<span><svg width="18" height="8"><line x1="0" x2="18" y1="4" y2="4" stroke="${item.colour}" stroke-width="2"${item.dash ? ' stroke-dasharray="4 3"' : ''}/></svg> ${item.label}</span>`,
  )}</div>`;

/** Best and mean reward per generation, the baseline band (mean ± std, as rewards) and the control arm's best. */
export function generationChart(points: readonly GenerationPoint[], band?: Band, control?: number | null): SafeHtml {
  const rows = points.filter((p) => finite(p.best) || finite(p.mean));
  if (rows.length === 0 && !band) return h`<p class="muted">No generation has a succeeded experiment yet.</p>`;
  const ys = rows.flatMap((p) => [p.best, p.mean].filter(finite));
  if (band) ys.push(band.low, band.high);
  if (finite(control)) ys.push(control);
  const xs = points.map((p) => p.generation);
  const f = frame(xs, ys, 'generation');
  const line = (key: 'best' | 'mean') =>
    pathOf(rows.filter((p) => finite(p[key])).map((p) => [f.x(p.generation), f.y(p[key] as number)]));
  const dots = rows
    .filter((p) => finite(p.best))
    .map(
      (p) =>
        h`<circle cx="${f.x(p.generation).toFixed(1)}" cy="${f.y(p.best as number).toFixed(1)}" r="2.5" fill="${COLOURS[0]}"><title>generation ${p.generation}: best ${num(p.best)}, mean ${num(p.mean)}</title></circle>`,
    );
  const bandSvg = band
    ? h`<rect class="band" x="${M.left}" width="${W - M.left - M.right}" y="${f.y(band.high).toFixed(1)}" height="${Math.max(1, f.y(band.low) - f.y(band.high)).toFixed(1)}"/><line x1="${M.left}" x2="${W - M.right}" y1="${f.y(band.mid).toFixed(1)}" y2="${f.y(band.mid).toFixed(1)}" stroke="#6b7280" stroke-dasharray="2 3"/>`
    : '';
  const controlSvg = finite(control)
    ? h`<line x1="${M.left}" x2="${W - M.right}" y1="${f.y(control).toFixed(1)}" y2="${f.y(control).toFixed(1)}" stroke="${COLOURS[4]}" stroke-width="1.5" stroke-dasharray="6 4"/>`
    : '';
  const items = [
    { label: 'best reward', colour: COLOURS[0] as string },
    { label: 'mean reward', colour: COLOURS[2] as string },
    ...(band ? [{ label: 'baseline mean ± std', colour: '#9ca3af', dash: true }] : []),
    ...(finite(control) ? [{ label: 'control arm best', colour: COLOURS[4] as string, dash: true }] : []),
  ];
  return h`<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="reward per generation">${bandSvg}${f.axes}${controlSvg}<path d="${line('mean')}" fill="none" stroke="${COLOURS[2]}" stroke-width="1.5"/><path d="${line('best')}" fill="none" stroke="${COLOURS[0]}" stroke-width="2"/>${dots}</svg>${legend(items)}</figure>`;
}

/** One line per seed run: the `[step, value]` curve its result reported. */
export function curveChart(series: readonly { label: string; points: readonly [number, number][] }[]): SafeHtml {
  const lines = series
    .map((s) => ({ label: s.label, points: thin(s.points.filter(([a, b]) => finite(a) && finite(b))) }))
    .filter((s) => s.points.length > 0);
  if (lines.length === 0) return h`<p class="muted">No training curve was reported.</p>`;
  const f = frame(
    lines.flatMap((s) => s.points.map(([step]) => step)),
    lines.flatMap((s) => s.points.map(([, v]) => v)),
    'step',
  );
  const paths = lines.map(
    (s, i) =>
      h`<path d="${pathOf(s.points.map(([a, b]) => [f.x(a), f.y(b)]))}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.5"/>`,
  );
  const items = lines.map((s, i) => ({ label: s.label, colour: COLOURS[i % COLOURS.length] as string }));
  return h`<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="training curves">${f.axes}${paths}</svg>${legend(items)}</figure>`;
}
