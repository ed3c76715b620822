// Bundles the agent into dist/agent-bundle/ as CommonJS (run by `npm run build`).
//
// Why: the agent has 300 ms from start to attached, and on this project's
// 2-core machines Node's own start takes a third of that. Loaded as some forty
// ES modules, the agent spent another 50 ms in the ES module loader (which
// resolves, reads and links each file in turn, and must be set up first in the
// decoder thread too). One CommonJS file per thread skips all of that. The
// modules reached only through import() (the reader, the table code, OTLP)
// are still evaluated only when first used: esbuild wraps them lazily.
//
// import.meta.url, which the sources use to find the addon, the eBPF objects,
// the decoder thread and CommonJS dependencies, becomes the bundle's own URL.
// iced-x86 and OpenTelemetry stay outside: they are loaded from node_modules,
// and only when needed. For iced-x86, which the decoder thread loads at once,
// a V8 code cache is saved next to the bundle (gobin/code-cache.ts).
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { writeCodeCache } from '../dist/gobin/code-cache.js';
import { amd64Returns } from '../dist/gobin/returns.js';

const outdir = 'dist/agent-bundle';
await build({
  // return-decoder: what the launcher loads first, to start the decoder thread (bin/offsets-agent.cjs).
  entryPoints: { cli: 'agent/cli.ts', 'return-decoder': 'gobin/return-decoder.ts', 'return-decoder-worker': 'gobin/return-decoder-worker.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['iced-x86', '@opentelemetry/*'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// The package is "type": "module"; these .js files are CommonJS.
await mkdir(outdir, { recursive: true });
await writeFile(`${outdir}/package.json`, '{ "type": "commonjs" }\n');

// Warm up with gobin/returns.ts's own decode, so that the functions it runs are in the cache too.
// mov eax, 0xc3; (an undecodable byte); ret
const sample = Uint8Array.of(0xb8, 0xc3, 0, 0, 0, 0x06, 0xc3);
writeCodeCache(createRequire(import.meta.url).resolve('iced-x86'), outdir, (iced) => {
  amd64Returns(iced, sample, 0, 0x401000);
});
