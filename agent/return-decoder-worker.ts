// The thread behind ReturnDecoder (return-decoder.ts). It loads the amd64
// decoder as soon as it starts, before any request comes, then answers each
// request with the return offsets of every function in it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type * as IcedX86 from 'iced-x86';
import { requireWithCodeCache } from '../common/code-cache.js';
import { EM_X86_64 } from '../gobin/elf.js';
import { returnOffsets, type Amd64DecoderLoader } from '../gobin/returns.js';
import type { DecodeReply, DecodeRequest } from './return-decoder.js';

// In the bundle (dist/bundle/, scripts/build-bundles.mjs) a V8 code cache of
// iced-x86 sits next to this file: its 900 kB of glue compile from it in a few
// ms instead of 15-30. Elsewhere there is none, and it loads as require() does.
const fromCodeCache: Amd64DecoderLoader = (file) => requireWithCodeCache(file, dirname(fileURLToPath(import.meta.url))) as typeof IcedX86;
const decode = (machine: number, code: Uint8Array, fileOffset: number, vaddr: number) => returnOffsets(machine, code, fileOffset, vaddr, fromCodeCache);

const port = parentPort!;
let loadError: string | undefined;
try {
  decode(EM_X86_64, Uint8Array.of(0xc3), 0, 0); // loads iced-x86 and instantiates its wasm
} catch (err) {
  loadError = (err as Error).message;
}

port.on('message', ({ id, functions }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    if (loadError && functions.some((f) => f.machine === EM_X86_64)) throw new Error(loadError);
    reply = { id, returns: functions.map((f) => decode(f.machine, f.code, f.fileOffset, f.vaddr)) };
  } catch (err) {
    reply = { id, error: { code: (err as { code?: string }).code ?? 'ERR_DECODE', message: (err as Error).message } };
  }
  port.postMessage(reply);
});
