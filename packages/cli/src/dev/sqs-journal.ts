import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { FauxqsServer } from "fauxqs";
import { readJsonFile, writeFileAtomic } from "./data-dir.ts";

/** A message as kept on disk: what SendMessage can put back. */
export interface KeptMessage {
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  sentTimestamp: number;
}

interface JournalFile {
  queues: Record<string, KeptMessage[]>;
}

type Inspect = FauxqsServer["inspectQueue"];

/**
 * Runs `work` for every call, but never twice at once: a call made while a run is in progress waits for the one
 * run that starts after it, which serves every call made in between.
 */
export class Coalesced {
  private current: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.current) return this.start();
    const queued = this.current
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<void> {
    const p: Promise<void> = this.work().finally(() => {
      if (this.current === p) this.current = undefined;
    });
    this.current = p;
    return p;
  }
}

/**
 * Keeps the messages of the named queues (ready, delayed and in flight) in one JSON file, rewritten after every change
 * that goes through the persisting endpoint. Nothing is written until `arm`, so a restore is not overwritten by the
 * empty queues it starts from.
 */
export class SqsJournal {
  private armed = false;
  private readonly saver = new Coalesced(() => this.write());

  constructor(
    private readonly opts: {
      file: string;
      queues: readonly string[];
      inspect: Inspect;
    },
  ) {}

  arm(): void {
    this.armed = true;
  }

  /** Resolves once a snapshot taken after this call is on disk. */
  save(): Promise<void> {
    return this.armed ? this.saver.run() : Promise.resolve();
  }

  private async write(): Promise<void> {
    const file: JournalFile = { queues: {} };
    for (const name of this.opts.queues) {
      const q = this.opts.inspect(name);
      if (!q) continue;
      const all = [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((e) => e.message)];
      file.queues[name] = all
        .sort((a, b) => a.sentTimestamp - b.sentTimestamp)
        .map((m) => ({ body: m.body, attributes: m.messageAttributes, sentTimestamp: m.sentTimestamp }));
    }
    await writeFileAtomic(this.opts.file, JSON.stringify(file));
  }

  /** Sends the kept messages of each queue again (oldest first); returns how many. */
  async restore(sqs: SQSClient, urls: Record<string, string>): Promise<number> {
    const kept = (await readJsonFile<JournalFile>(this.opts.file))?.queues ?? {};
    let sent = 0;
    for (const [name, messages] of Object.entries(kept)) {
      const url = urls[name];
      if (!url) continue;
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const res = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((m, j) => ({
              Id: `r${j}`,
              MessageBody: m.body,
              ...(Object.keys(m.attributes).length > 0 ? { MessageAttributes: messageAttributes(m.attributes) } : {}),
            })),
          }),
        );
        if ((res.Failed ?? []).length > 0) {
          throw new Error(`restoring ${name}: ${res.Failed?.map((f) => f.Message ?? f.Code).join("; ")}`);
        }
        sent += chunk.length;
      }
    }
    return sent;
  }
}

function messageAttributes(kept: KeptMessage["attributes"]): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(kept)) {
    out[k] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: Buffer.from(v.BinaryValue, "base64") } : {}),
    };
  }
  return out;
}
