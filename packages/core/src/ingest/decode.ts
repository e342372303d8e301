import { constants, createGunzip } from "node:zlib";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Thrown by `decodeText` when the compressed stream is corrupt or cut short; text before it was already yielded. */
export class CorruptInputError extends Error {
  override name = "CorruptInputError";
}

/**
 * Turns raw object bytes into UTF-8 text chunks, gunzipping when the bytes start with the gzip magic
 * (whatever the file is called). Decompression streams, so memory stays flat in object size.
 */
export async function* decodeText(bytes: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const it = bytes[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => it,
  };
  const decoder = new TextDecoder("utf-8");
  const gz = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  const source = gz ? gunzip(head, rest) : prepend(head, rest);
  for await (const chunk of source) {
    const s = decoder.decode(chunk, { stream: true });
    if (s.length > 0) yield s;
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

async function* prepend(head: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield head;
  yield* rest;
}

async function* gunzip(head: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // Concatenated gzip members are valid gzip (CloudFront and `cat a.gz b.gz` produce them); zlib reads them all.
  // Large output chunks: fewer thread-pool round trips and decoder calls per object.
  const z = createGunzip({ chunkSize: 256 * 1024 });
  const feed = (async () => {
    for await (const chunk of prepend(head, rest)) {
      if (!z.write(chunk)) await new Promise<void>((resolve) => z.once("drain", resolve));
    }
    // Flush first: zlib drops the output of a call that fails, so without it how much of a damaged stream
    // survives would depend on how the bytes happened to be chunked.
    await new Promise<void>((resolve) => z.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    z.end();
  })();
  let feedError: unknown;
  feed.catch((e: unknown) => {
    feedError = e;
    z.destroy(e instanceof Error ? e : new Error(String(e)));
  });
  try {
    for await (const chunk of z) yield chunk as Uint8Array;
  } catch (e) {
    if (feedError !== undefined) throw feedError;
    throw new CorruptInputError(`gzip stream is corrupt or truncated: ${(e as Error).message}`);
  }
  await feed;
}
