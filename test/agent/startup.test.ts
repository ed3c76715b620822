// What a start loads: the amd64 decoder (iced-x86, a wasm module) only on the
// first amd64 decode and only once, never for A64 nor at import; importing the
// agent's CLI loads neither it nor ajv's runtime (both CommonJS, so visible in
// require.cache). Run in fresh node processes on dist/.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, requireAgentPrerequisites } from './support.js';

/** Runs an ES module snippet in a fresh node; `loaded(re)` there lists the CommonJS modules loaded so far matching re. */
function inFreshNode(body: string): unknown {
  const prelude = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(pathToFileURL(join(REPO, 'package.json')).href)});
    const loaded = (re) => Object.keys(require.cache).filter((p) => re.test(p)).map((p) => p.slice(p.lastIndexOf('node_modules/') + 13));
    const dist = (p) => import(${JSON.stringify(pathToFileURL(join(REPO, 'dist')).href)} + '/' + p);
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `${prelude}\n${body}`], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(out);
}

describe('start-up loading', () => {
  beforeAll(() => requireAgentPrerequisites());

  it('gobin/returns loads iced-x86 on the first amd64 decode only, once', () => {
    const r = inFreshNode(`
      const { returnOffsets } = await dist('gobin/returns.js');
      const { EM_X86_64, EM_AARCH64 } = await dist('gobin/elf.js');
      const afterImport = loaded(/iced-x86/);
      const a64 = returnOffsets(EM_AARCH64, Uint8Array.of(0xc0, 0x03, 0x5f, 0xd6), 0x100);
      const afterA64 = loaded(/iced-x86/);
      // mov eax, 0xc3 (a C3 byte inside an immediate); ret
      const x = returnOffsets(EM_X86_64, Uint8Array.of(0xb8, 0xc3, 0, 0, 0, 0xc3), 0x200, 0x401000);
      const first = require.cache[require.resolve('iced-x86')]?.exports;
      const again = returnOffsets(EM_X86_64, Uint8Array.of(0x90, 0xc3), 0x300, 0x402000);
      const second = require.cache[require.resolve('iced-x86')]?.exports;
      console.log(JSON.stringify({ afterImport, a64, afterA64, x, again, loaded: loaded(/iced-x86/), same: first !== undefined && first === second }));
    `);
    expect(r).toEqual({ afterImport: [], a64: [0x100], afterA64: [], x: [0x205], again: [0x301], loaded: ['iced-x86/iced_x86.js'], same: true });
  });

  it('importing the agent CLI loads neither iced-x86 nor the validator runtime (ajv)', () => {
    const r = inFreshNode(`
      await dist('agent/cli.js');
      console.log(JSON.stringify(loaded(/iced-x86|ajv|@opentelemetry/)));
    `);
    expect(r).toEqual([]);
  });

  // bin/offsets-agent.cjs runs the CommonJS bundle (scripts/build-bundles.mjs); the same
  // must hold there, where the reader and the table code are bundled in but lazily evaluated.
  it('requiring the agent bundle loads neither iced-x86 nor OpenTelemetry, and reads no target', () => {
    const script = `
      const bundle = require(${JSON.stringify(join(REPO, 'dist/bundle/offsets-agent.js'))});
      const loaded = Object.keys(require.cache).filter((p) => /node_modules/.test(p)).map((p) => p.slice(p.lastIndexOf('node_modules/') + 13));
      console.log(JSON.stringify({ main: typeof bundle.main, loaded }));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ main: 'function', loaded: [] });
  });
});
