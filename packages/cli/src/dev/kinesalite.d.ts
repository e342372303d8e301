declare module "kinesalite" {
  import type { Server } from "node:http";

  /** Options of the kinesalite Kinesis emulator (in memory unless `path` is given). */
  interface KinesaliteOptions {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
    ssl?: boolean;
  }

  export default function kinesalite(options?: KinesaliteOptions): Server;
}
