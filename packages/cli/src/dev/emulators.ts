import type { AddressInfo } from "node:net";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import kinesalite from "kinesalite";

/**
 * Local stand-ins for S3 + SQS (fauxqs, always in memory) and Kinesis (kinesalite: in memory, or in a LevelDB
 * folder), both in this process.
 */
export interface Emulators {
  /** S3 and SQS endpoint. */
  endpoint: string;
  kinesisEndpoint: string;
  /** Every message of a queue, without receiving it. */
  inspectQueue: FauxqsServer["inspectQueue"];
  stop(): Promise<void>;
}

/**
 * Starts both emulators on 127.0.0.1. Port 0 (the default) picks a free port, so parallel test files and a
 * running `loglake dev` never collide. `kinesisPath` keeps the streams and their records in that folder.
 */
export async function startEmulators(
  opts: { port?: number; kinesisPort?: number; kinesisPath?: string } = {},
): Promise<Emulators> {
  const fauxqs = await startFauxqs({ port: opts.port ?? 0, host: "localhost", logger: false });
  // Streams become ACTIVE at once: nothing here needs to wait for provisioning.
  const kinesis = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
    ...(opts.kinesisPath ? { path: opts.kinesisPath } : {}),
  });
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
    inspectQueue: (name) => fauxqs.inspectQueue(name),
    async stop() {
      await Promise.all([
        fauxqs.stop(),
        // kinesalite closes its database before the server, so the folder is complete once this resolves.
        new Promise<void>((resolve) => {
          kinesis.close(() => resolve());
          kinesis.closeAllConnections();
        }),
      ]);
    },
  };
}
