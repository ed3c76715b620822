// The thread behind ReturnDecoder (return-decoder.ts): it answers each
// request by decoding the callers of the functions asked for in the binary's
// code (and searching the code and data for them too when the request does
// not bring that search's results).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type * as IcedX86 from 'iced-x86';
import { requireWithCodeCache } from '../common/code-cache.js';
import { icedX86 } from '../gobin/returns.js';
import type { DecodeReply, DecodeRequest, FunctionEnds } from './return-decoder.js';

/**
 * Serves ReturnDecoder's requests on `port`: loads the decoder at once,
 * before any request comes, then answers each. Started by the thread's entry
 * (return-decoder-thread.ts).
 */
export function serve(port: MessagePort): void {
  // In the bundle (dist/bundle/, scripts/build-bundles.mjs) a minified copy of
  // iced-x86's glue sits next to this file with its wasm module and a V8 code
  // cache: it loads in 40-50 ms instead of 55-75. Elsewhere there is none, and
  // node_modules' copy loads as require() does.
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'iced_x86.js');
  let loadError: string | undefined;
  try {
    icedX86((file) => requireWithCodeCache(existsSync(bundled) ? bundled : file, here) as typeof IcedX86); // loaded once, kept by returns.ts
  } catch (err) {
    loadError = (err as Error).message;
  }
  // The reader loads after the decoder, while the main thread reads the binary.
  const reader = Promise.all([import('../gobin/binary.js'), import('./target-file.js')]);
  reader.catch(() => {}); // reported to the request that awaits it

  port.on('message', async ({ id, path, queries, entries, candidates }: DecodeRequest) => {
    let reply: DecodeReply;
    try {
      const [{ GoBinary }, { openTargetFile }] = await reader;
      const bin = GoBinary.fromElf(openTargetFile(path));
      if (loadError && bin.arch === 'amd64' && queries.length > 0) throw new Error(loadError);
      const found = bin.endSites(queries, entries, candidates);
      const ends = queries.map(({ fn }, k): FunctionEnds => {
        const r = found[k];
        if ('sites' in r) return { name: fn.name, ends: r.sites, afterCalls: true };
        return { name: fn.name, ends: bin.returnSites(fn), afterCalls: false, why: r.unsuited };
      });
      reply = { id, ends };
    } catch (err) {
      reply = { id, error: { code: (err as { code?: string }).code ?? 'ERR_DECODE', message: (err as Error).message } };
    }
    port.postMessage(reply);
  });
}
