// The thread behind ReturnDecoder (return-decoder.ts). It loads the amd64
// decoder as soon as it starts, before any request comes, then answers each
// request by reading the binary itself: the end sites of every function in it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type * as IcedX86 from 'iced-x86';
import { requireWithCodeCache } from '../common/code-cache.js';
import { icedX86 } from '../gobin/returns.js';
import type { DecodeReply, DecodeRequest, FunctionEnds } from './return-decoder.js';

// In the bundle (dist/bundle/, scripts/build-bundles.mjs) a V8 code cache of
// iced-x86 sits next to this file: its 900 kB of glue compile from it in a few
// ms instead of 15-30. Elsewhere there is none, and it loads as require() does.
let loadError: string | undefined;
try {
  icedX86((file) => requireWithCodeCache(file, dirname(fileURLToPath(import.meta.url))) as typeof IcedX86); // loaded once, kept by returns.ts
} catch (err) {
  loadError = (err as Error).message;
}

// The reader loads after the decoder, while the main thread reads the binary too.
const reader = Promise.all([import('../gobin/binary.js'), import('../gobin/elf.js')]);
reader.catch(() => {}); // reported to the request that awaits it

const port = parentPort!;

port.on('message', async ({ id, path, queries }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const [{ GoBinary }, { ElfFile }] = await reader;
    // Only the ranges asked for are read: the function table, the code, the data the call search looks in.
    const bin = GoBinary.fromElf(ElfFile.openOnDemand(path));
    const named = bin.findFunctionsNamed(queries.flatMap((q) => q.names));
    const fns = queries.map((q) => q.names.map((n) => named.get(n)).find((f) => f !== undefined));
    const amd64 = bin.arch === 'amd64';
    if (loadError && amd64 && fns.some((f) => f)) throw new Error(loadError);
    const asked = amd64 ? queries.flatMap((q, i) => (fns[i] ? [{ fn: fns[i], readsResults: q.readsResults }] : [])) : [];
    const found = bin.endSites(asked);
    const ends = fns.map((fn): FunctionEnds | null => {
      if (!fn) return null;
      const k = asked.findIndex((q) => q.fn === fn);
      const r = k >= 0 ? found[k] : undefined;
      if (r && 'sites' in r) return { name: fn.name, ends: r.sites, afterCalls: true };
      return { name: fn.name, ends: bin.returnSites(fn), afterCalls: false, ...(r ? { why: r.unsuited } : {}) };
    });
    reply = { id, ends };
  } catch (err) {
    reply = { id, error: { code: (err as { code?: string }).code ?? 'ERR_DECODE', message: (err as Error).message } };
  }
  port.postMessage(reply);
});
