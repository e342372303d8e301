/** Inline SVG charts for the HTML report: plain markup, no script, no external assets. */
import { formatNumber } from "./format.ts";

/** Colour per severity, shared by the cards, badges and charts. */
export const SEVERITY_COLORS: Readonly<Record<string, string>> = {
  critical: "#b91c1c",
  high: "#ea580c",
  medium: "#ca8a04",
  low: "#2563eb",
  info: "#6b7280",
};

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function clipEnd(text: string, max: number): string {
  const cs = [...text];
  return cs.length > max ? `${cs.slice(0, max - 1).join("")}…` : text;
}

function clipMiddle(text: string, max: number, tail: number): string {
  const cs = [...text];
  if (cs.length <= max) return text;
  return `${cs.slice(0, max - 1 - tail).join("")}…${cs.slice(cs.length - tail).join("")}`;
}

/**
 * Labels cut to `max` characters so that no two read the same: a label is cut at its end, and labels that would
 * then collide (ARNs or paths sharing a long start) keep more of their end instead, until each is distinct.
 */
export function distinctLabels(labels: readonly string[], max: number): string[] {
  const out = labels.map((l) => clipEnd(l, max));
  const collide = () => {
    const seen = new Map<string, number>();
    for (const l of out) seen.set(l, (seen.get(l) ?? 0) + 1);
    return out.map((l) => (seen.get(l) ?? 0) > 1);
  };
  for (let tail = Math.min(10, max - 2); tail <= max - 2; tail++) {
    const dup = collide();
    if (!dup.includes(true)) return out;
    labels.forEach((l, i) => {
      if (dup[i]) out[i] = clipMiddle(l, max, tail);
    });
  }
  // Labels equal in their first and last characters alike: number them.
  const dup = collide();
  let n = 0;
  return out.map((l, i) => (dup[i] ? `${clipEnd(labels[i] as string, max - 4)} #${++n}` : l));
}

/** A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `n`. */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** Horizontal bars, one per item, with the value printed after each bar. */
export function barChart(args: {
  className: string;
  title: string;
  items: readonly { label: string; value: number; color?: string }[];
  width?: number;
  /** How values are written after the bars (default: `formatNumber`; byte counts use `formatBytes`). */
  format?: (n: number) => string;
}): string {
  const fmt = args.format ?? formatNumber;
  const labels = distinctLabels(
    args.items.map((i) => i.label),
    30,
  );
  const width = args.width ?? 640;
  const labelWidth = 220;
  const barArea = width - labelWidth - 70;
  const rowHeight = 24;
  const height = args.items.length * rowHeight + 8;
  const max = Math.max(0, ...args.items.map((i) => i.value));
  const bars = args.items
    .map((item, i) => {
      const y = 4 + i * rowHeight;
      const w = max > 0 ? Math.max(item.value > 0 ? 2 : 0, Math.round((item.value / max) * barArea)) : 0;
      return (
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" class="label"><title>${esc(item.label)}</title>${esc(labels[i])}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" rx="2" fill="${item.color ?? "#334155"}"></rect>` +
        `<text x="${labelWidth + w + 6}" y="${y + 16}" class="value">${esc(fmt(item.value))}</text>`
      );
    })
    .join("");
  return `<svg class="chart ${esc(args.className)}" role="img" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(args.title)}</title>${bars}</svg>`;
}

/** Stacked columns per day, one colour per series, with a y axis and a legend. */
export function stackedColumns(args: {
  className: string;
  title: string;
  days: readonly string[];
  series: readonly { name: string; color: string; values: readonly number[] }[];
  width?: number;
}): string {
  const width = args.width ?? 760;
  const height = 240;
  const left = 44;
  const bottom = 40;
  const top = 28;
  const plotW = width - left - 12;
  const plotH = height - top - bottom;
  const totals = args.days.map((_, i) => args.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const slot = plotW / Math.max(1, args.days.length);
  const barW = Math.max(1, Math.min(48, slot * 0.7));
  const parts: string[] = [];
  // Whole-number ticks: counts are integers, and a nice maximum above 5 divides into five equal steps.
  const steps = Math.min(max, 5);
  for (let t = 0; t <= steps; t++) {
    const v = (max * t) / steps;
    const y = top + plotH - (plotH * t) / steps;
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" class="grid"></line>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" class="axis">${esc(formatNumber(v))}</text>`,
    );
  }
  const labelEvery = Math.max(1, Math.ceil(args.days.length / 12));
  args.days.forEach((day, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = top + plotH;
    for (const s of args.series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const h = (v / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(`${day} ${s.name}: ${formatNumber(v)}`)}</title></rect>`,
      );
    }
    if (i % labelEvery === 0)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" class="axis">${esc(day.slice(5))}</text>`,
      );
  });
  let lx = left;
  for (const s of args.series) {
    parts.push(
      `<rect x="${lx}" y="6" width="12" height="12" fill="${s.color}"></rect>`,
      `<text x="${lx + 16}" y="16" class="axis">${esc(s.name)}</text>`,
    );
    lx += 90;
  }
  return `<svg class="chart ${esc(args.className)}" role="img" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(args.title)}</title>${parts.join("")}</svg>`;
}
