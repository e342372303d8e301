import type { AddressInfo } from "node:net";
import { startFauxqs } from "fauxqs";
import kinesalite from "kinesalite";

/** Local stand-ins for S3 + SQS (fauxqs) and Kinesis (kinesalite), both in memory and in this process. */
export interface Emulators {
  /** S3 and SQS endpoint. */
  endpoint: string;
  kinesisEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts both emulators on 127.0.0.1. Port 0 (the default) picks a free port, so parallel test files and a
 * running `loglake dev` never collide.
 */
export async function startEmulators(opts: { port?: number; kinesisPort?: number } = {}): Promise<Emulators> {
  const fauxqs = await startFauxqs({ port: opts.port ?? 0, host: "localhost", logger: false });
  // Streams become ACTIVE at once: nothing here needs to wait for provisioning.
  const kinesis = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  try {
    await new Promise<void>((resolve, reject) => {
      kinesis.once("error", reject);
      kinesis.listen(opts.kinesisPort ?? 0, "127.0.0.1", () => resolve());
    });
  } catch (e) {
    await fauxqs.stop();
    throw e;
  }
  const kinesisPort = (kinesis.address() as AddressInfo).port;
  return {
    endpoint: fauxqs.address,
    kinesisEndpoint: `http://127.0.0.1:${kinesisPort}`,
    async stop() {
      await Promise.all([
        fauxqs.stop(),
        new Promise<void>((resolve) => {
          kinesis.close(() => resolve());
          kinesis.closeAllConnections();
        }),
      ]);
    },
  };
}
