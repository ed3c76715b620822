// The thread behind ReturnDecoder (return-decoder.ts). It loads the amd64
// decoder as soon as it starts, before any request comes, then answers each
// request with the return offsets of every function in it.
import { parentPort } from 'node:worker_threads';
import { EM_X86_64 } from './elf.js';
import { returnOffsets } from './returns.js';
import type { DecodeReply, DecodeRequest } from './return-decoder.js';

const port = parentPort!;
let loadError: string | undefined;
try {
  returnOffsets(EM_X86_64, Uint8Array.of(0xc3), 0); // loads iced-x86 and instantiates its wasm
} catch (err) {
  loadError = (err as Error).message;
}

port.on('message', ({ id, functions }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    if (loadError && functions.some((f) => f.machine === EM_X86_64)) throw new Error(loadError);
    reply = { id, returns: functions.map((f) => returnOffsets(f.machine, f.code, f.fileOffset, f.vaddr)) };
  } catch (err) {
    reply = { id, error: { code: (err as { code?: string }).code ?? 'ERR_DECODE', message: (err as Error).message } };
  }
  port.postMessage(reply);
});
