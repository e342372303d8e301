/** The logging the data path needs; Powertools' Logger satisfies it, and so does `jsonLog`. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** One JSON object per line on the given stream (stderr by default, keeping stdout for command output). */
export function jsonLog(
  service: string,
  write: (line: string) => void = (l) => process.stderr.write(l),
  now: () => Date = () => new Date(),
): Log {
  const emit = (level: string, message: string, extra?: Record<string, unknown>) =>
    write(`${JSON.stringify({ level, message, service, timestamp: now().toISOString(), ...extra })}\n`);
  return {
    info: (m, e) => emit("INFO", m, e),
    warn: (m, e) => emit("WARN", m, e),
    error: (m, e) => emit("ERROR", m, e),
  };
}

/** A logger that drops everything (tests that assert on results, not logs). */
export const silentLog: Log = { info() {}, warn() {}, error() {} };
