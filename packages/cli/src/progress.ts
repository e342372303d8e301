import { basename } from "node:path";
import { formatBytes, formatNumber } from "@app/core/reports/format";
import { ui } from "./ui.ts";

/** How often the line is redrawn, whatever the work does in between. */
export const REDRAW_MS = 500;

/** Seconds as `m:ss` (or `h:mm:ss`). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A name cut to `width` characters in the middle, keeping its start and its extension. */
export function fitName(name: string, width: number): string {
  const cs = [...name];
  if (cs.length <= width) return name;
  if (width < 2) return "";
  const tail = Math.min(Math.floor((width - 1) / 2), 12);
  return `${cs.slice(0, width - 1 - tail).join("")}…${cs.slice(cs.length - tail).join("")}`;
}

/** What an ingest has done so far. */
export interface IngestProgress {
  bytes: number;
  totalBytes: number;
  records: number;
  filesDone: number;
  files: number;
  /** The file being read most recently. */
  current?: string;
}

/**
 * The progress line of an ingest: share of input bytes, bytes and records per second, elapsed time and the ETA
 * from the input bytes left, files done, and the current file's base name, which is cut (in the middle) last.
 */
export function ingestLine(p: IngestProgress, elapsedMs: number, width: number): string {
  const secs = elapsedMs / 1000;
  const pct = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : 0;
  const rate = secs > 0 ? p.bytes / secs : 0;
  const eta = rate > 0 && secs >= 1 ? clock((p.totalBytes - p.bytes) / rate) : "-";
  const parts = [
    `${String(pct).padStart(3)}% ${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)}`,
    `${formatBytes(Math.round(rate))}/s`,
    `${formatNumber(Math.round(secs > 0 ? p.records / secs : 0))} rec/s`,
    `${clock(secs)} elapsed`,
    `ETA ${eta}`,
    `file ${p.filesDone}/${p.files}`,
  ];
  const head = parts.join(" · ");
  if (!p.current) return fitName(head, width);
  const room = width - head.length - 3;
  return room >= 8 ? `${head} · ${fitName(basename(p.current), room)}` : fitName(head, width);
}

/** The progress line of a report: queries done, elapsed time, ETA from the time per query so far, current query. */
export function queryLine(done: number, total: number, current: string, elapsedMs: number, width: number): string {
  const secs = elapsedMs / 1000;
  const eta = done > 0 ? clock((secs / done) * (total - done)) : "-";
  const head = `query ${done}/${total} · ${clock(secs)} elapsed · ETA ${eta}`;
  const room = width - head.length - 3;
  return room >= 8 ? `${head} · ${fitName(current, room)}` : fitName(head, width);
}

/** Where progress is drawn; stderr in the CLI. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * A progress line on stderr, redrawn every `REDRAW_MS` from `render` while work runs and cleared at the end so only
 * the final summary stays. Drawn only when both stdout and stderr are terminals and `--quiet` is not given:
 * piped or redirected output gets nothing but the summary.
 */
export function progressLine(
  render: (elapsedMs: number, width: number) => string,
  options: {
    stream?: ProgressStream;
    enabled?: boolean;
    now?: () => number;
    setTimer?: (fn: () => void, ms: number) => { unref?(): void } & object;
    clearTimer?: (t: object) => void;
  } = {},
): { draw(): void; stop(): void } {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? (!ui.quiet && process.stdout.isTTY === true && stream.isTTY === true);
  const now = options.now ?? Date.now;
  const started = now();
  let shown = false;
  const draw = () => {
    if (!enabled) return;
    // A terminal that reports no size (0 columns) falls back to COLUMNS, then 80.
    const width = Math.max(20, (stream.columns || Number(process.env.COLUMNS) || 80) - 1);
    // \r and erase-to-end-of-line: no padding, so nothing trails the text.
    stream.write(`\r${render(now() - started, width)}\u001b[K`);
    shown = true;
  };
  const setTimer = options.setTimer ?? ((fn, ms) => setInterval(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearInterval(t as NodeJS.Timeout));
  const timer = enabled ? setTimer(draw, REDRAW_MS) : undefined;
  timer?.unref?.();
  return {
    draw,
    stop() {
      if (timer) clearTimer(timer);
      if (shown) stream.write("\r\u001b[K");
    },
  };
}
