import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LOGLAKE_BIN } from "./cli.ts";

/** What a bounded child run of `loglake` did. */
export interface BoundedRun {
  /** Exit code, or null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed for running past the time bound. */
  timedOut: boolean;
  /** Killed for growing past the RSS cap. */
  overCap: boolean;
  /** Peak resident set size of the `loglake` process, in bytes. */
  peakRssBytes: number;
  ms: number;
}

const GNU_TIME = "/usr/bin/time";
const KIB = 1024;

/** A Linux process's VmHWM (peak RSS) and VmRSS, in bytes; undefined once it is gone. */
function memoryOf(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * KIB;
    return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

/** The first child of a process (the `loglake` process under `/usr/bin/time`). */
function childOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `loglake` in a child process group, killed when it runs past `timeoutMs` or its RSS passes `rssCapBytes`.
 * The peak RSS comes from `/usr/bin/time -f %M` when present, else from polling the process's VmHWM.
 */
export async function runLoglakeBounded(
  args: readonly string[],
  opts: { timeoutMs: number; rssCapBytes: number; env?: Record<string, string>; workDir: string },
): Promise<BoundedRun> {
  const timeFile = join(opts.workDir, `rss-${process.hrtime.bigint()}.txt`);
  const useTime = existsSync(GNU_TIME);
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ["-f", "%M", "-o", timeFile, process.execPath, LOGLAKE_BIN, ...args] : [LOGLAKE_BIN, ...args];
  const started = Date.now();
  const child = spawn(command, argv, {
    detached: true,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  let timedOut = false;
  let overCap = false;
  let polledPeak = 0;
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  const poll = setInterval(() => {
    if (child.pid === undefined) return;
    const pid = useTime ? childOf(child.pid) : child.pid;
    const m = pid === undefined ? undefined : memoryOf(pid);
    if (!m) return;
    polledPeak = Math.max(polledPeak, m.hwm, m.rss);
    if (m.rss > opts.rssCapBytes) {
      overCap = true;
      killGroup();
    }
  }, 100);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  clearInterval(poll);
  let peak = polledPeak;
  if (useTime) {
    const last = (await readFile(timeFile, "utf8").catch(() => "")).trim().split("\n").pop() ?? "";
    if (/^\d+$/.test(last)) peak = Math.max(peak, Number(last) * KIB);
  }
  return {
    code,
    signal,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    timedOut,
    overCap,
    peakRssBytes: peak,
    ms: Date.now() - started,
  };
}

/** The line of a failed run's stderr that says what went wrong, shortened. */
export function errorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim());
  const line = lines.find((l) => /(?:Error|error|loglake:)/.test(l)) ?? lines.find((l) => l.length > 0) ?? "";
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}

/** True when stderr holds a JavaScript stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+(?::\d+:\d+\)?|\(native\))$/m.test(stderr);
}
