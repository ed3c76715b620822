// Bundles each CLI into dist/bundle/ as one CommonJS file, with a V8 code
// cache next to it (run by `npm run build`, after tsc). This is the one build
// path of the three launchers in bin/: each requires dist/bundle/launch.js,
// which loads its CLI's bundle from the code cache (common/launch.ts). The
// launcher of `offsets` also sets up the process it starts in (bin/offsets.cjs).
//
// Why: Node's own start takes 110-150 ms on this project's 2-core machines, and
// everything a CLI adds to it is what a person waits for. Loaded as ES modules
// from dist/, a CLI spent 50-130 ms more in the ES module loader (which
// resolves, reads and links each of some forty to a hundred files in turn) and
// in compiling them. One CommonJS file skips the loader, and its code cache
// skips most of the compiling. The modules reached only through import() (the
// reader, the table code, OTLP) are still evaluated only when first used:
// esbuild wraps them lazily.
//
// import.meta.url, which the sources use to find the package root
// (common/package-root.ts), the addon, the decoder thread and CommonJS
// dependencies, becomes the bundle's own URL. iced-x86 and OpenTelemetry stay
// outside: they are loaded from node_modules, and only when needed. For
// iced-x86, which the agent's decoder thread loads at once, a V8 code cache is
// saved here too.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { writeCodeCache } from '../dist/common/code-cache.js';
import { amd64Returns } from '../dist/gobin/returns.js';
import { stampPackagedTable } from '../dist/offsets/packaged-table.js';

const outdir = 'dist/bundle';

// commander requires node:child_process when it loads, for the executable
// subcommands none of these CLIs has: 5-15 ms of every start spent loading
// node:child_process, node:net and node:stream. Within commander, it is loaded
// on first use instead.
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'node:child_process', namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => require(${JSON.stringify(args.path)})[key] });`,
      loader: 'js',
    }));
  },
};

const CLIS = { offsets: 'cli/offsets.ts', 'offsets-tracker': 'tracker/cli.ts', 'offsets-agent': 'agent/cli.ts' };
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    ...CLIS,
    launch: 'common/launch.ts',
    // What the agent's launcher loads first, to start the decoder thread (bin/offsets-agent.cjs).
    'return-decoder': 'agent/return-decoder.ts',
    'return-decoder-thread': 'agent/return-decoder-thread.ts',
    'return-decoder-worker': 'agent/return-decoder-worker.ts',
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['iced-x86', '@opentelemetry/*'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcessInCommander],
  minifyWhitespace: true,
  logLevel: 'warning',
});
// The package is "type": "module"; these .js files are CommonJS.
await mkdir(outdir, { recursive: true });
await writeFile(`${outdir}/package.json`, '{ "type": "commonjs" }\n');

// The packaged table, validated once here rather than at every command (offsets/packaged-table.ts).
console.log(`build-bundles: packaged table ${await stampPackagedTable()}`);

// Each CLI's bundle, warmed up with runs that need no input file (in a process of their own,
// output discarded: scripts/warm-code-cache.mjs), so that V8 has compiled the functions a start
// runs (commander's parsing, the table's lookup) and the cache holds them too: V8 compiles a
// function only when it first runs.
// `offsets dwarf` also reads a small binary with compressed DWARF, compiled here with gcc (which
// scripts/setup.sh installs): with its reader in the cache, a first lookup in a Go binary took
// 3.5 ms less (bench cli), about a seventh of what the CLI adds to Node's own start.
const warmDir = await mkdtemp(join(tmpdir(), 'go-offsets-warm-up-'));
const dwarfInput = warmUpBinary(warmDir);
const WARM_UP = {
  offsets: [
    ['--help'],
    ['lookup', 'net/http.Request.ctx', '--go', '1.22.12', '--json'],
    ['dwarf', '--help'],
    ...(dwarfInput ? [['dwarf', dwarfInput, 'node.at'], ['dwarf', dwarfInput, '--all', '--json']] : []),
  ],
  'offsets-tracker': [['--help']],
  'offsets-agent': [['--help']],
};
try {
  for (const cli of Object.keys(CLIS)) {
    execFileSync(process.execPath, ['scripts/warm-code-cache.mjs', resolve(outdir, `${cli}.js`), outdir, JSON.stringify(WARM_UP[cli])], { stdio: 'ignore' });
  }
} finally {
  await rm(warmDir, { recursive: true, force: true });
}

/** scripts/warm-up/dwarf.c compiled into `dir`, or undefined (with a warning) when gcc cannot. */
function warmUpBinary(dir) {
  const out = join(dir, 'dwarf');
  try {
    execFileSync('gcc', ['-g', '-gz=zlib', '-O0', '-o', out, 'scripts/warm-up/dwarf.c'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return out;
  } catch (err) {
    console.warn(`build-bundles: no DWARF warm-up for offsets dwarf (gcc: ${err.stderr?.toString().trim() || err.message}); its first lookups compile the reader`);
    return undefined;
  }
}

// The decoder thread's code (agent/return-decoder-thread.ts loads it from this cache).
writeCodeCache(resolve(outdir, 'return-decoder-worker.js'), outdir, () => {});

// iced-x86 for the decoder thread: its glue minified (900 kB -> 480 kB; esbuild also escapes
// its few non-ASCII characters, so Node reads it as one-byte text), next to its wasm module,
// with a code cache warmed up with gobin/returns.ts's own decode, so that the functions it
// runs are in the cache too. The thread loads this copy (agent/return-decoder-worker.ts):
// 10-15 ms less of a first start than node_modules' own.
const icedGlue = createRequire(import.meta.url).resolve('iced-x86');
await build({ entryPoints: [icedGlue], outfile: `${outdir}/iced_x86.js`, format: 'cjs', platform: 'node', target: 'node20', minify: true, logLevel: 'warning' });
await copyFile(resolve(dirname(icedGlue), 'iced_x86_bg.wasm'), `${outdir}/iced_x86_bg.wasm`);
// mov eax, 0xc3; (an undecodable byte); ret
const sample = Uint8Array.of(0xb8, 0xc3, 0, 0, 0, 0x06, 0xc3);
writeCodeCache(resolve(outdir, 'iced_x86.js'), outdir, (iced) => {
  amd64Returns(iced, sample, 0, 0x401000);
});
