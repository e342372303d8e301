/** A one-line progress bar on stderr, shown only on a TTY. */
export function progress(total: number): { tick(done: number, label: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    tick(done, label) {
      if (!tty) return;
      const width = 24;
      const filled = Math.round((done / total) * width);
      const cols = process.stderr.columns ?? 100;
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${label}`;
      process.stderr.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
      shown = true;
    },
    done() {
      if (tty && shown) process.stderr.write("\n");
    },
  };
}
