import wabt from "wabt";

/** The WebAssembly module a WebAssembly text holds (SIMD on), validated. */
export async function assembleWat(name: string, wat: string): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat(name, wat, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
