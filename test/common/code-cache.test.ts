// common/code-cache: iced-x86 loaded from a V8 code cache made by writeCodeCache, in
// fresh node processes (V8 only takes a cache at compile time). The oracle for the
// loaded module is iced-x86 itself: it must decode as when required normally.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../agent/support.js';

const ICED_DIR = dirname(createRequire(join(REPO, 'package.json')).resolve('iced-x86'));
const CODE_CACHE = pathToFileURL(join(REPO, 'dist/common/code-cache.js')).href;

/** Runs an ES module snippet in a fresh node and parses the JSON it prints. */
function inFreshNode(body: string): any {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as cc from ${JSON.stringify(CODE_CACHE)};\n${body}`], { encoding: 'utf8' });
  return JSON.parse(out);
}

// mov eax, 0xc3 (a C3 byte inside an immediate); ret: lengths 5 and 1.
const DECODE = `
  const decoder = new iced.Decoder(64, Uint8Array.of(0xb8, 0xc3, 0, 0, 0, 0xc3), iced.DecoderOptions.None);
  const ins = new iced.Instruction();
  const seen = [];
  while (decoder.canDecode) { decoder.decodeOut(ins); seen.push([iced.Mnemonic[ins.mnemonic], ins.length]); }
  decoder.free();`;

describe('V8 code cache (common/code-cache)', () => {
  let dir: string;
  let file: string;
  let cacheDir: string;
  beforeAll(async () => {
    // A private copy of iced-x86: its size and mtime name the cache file.
    dir = await mkdtemp(join(tmpdir(), 'code-cache-'));
    await cp(ICED_DIR, join(dir, 'iced-x86'), { recursive: true });
    file = join(dir, 'iced-x86', 'iced_x86.js');
    cacheDir = join(dir, 'cache');
    await mkdir(cacheDir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const load = () =>
    inFreshNode(`
      const { exports: iced, use } = cc.loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)});
      ${DECODE}
      console.log(JSON.stringify({ use, seen }));`);

  it('without a cache file, loads as require() does', () => {
    expect(load()).toEqual({ use: 'no code cache for this file', seen: [['Mov', 5], ['Ret', 1]] });
  });

  it('writes one cache file, which V8 then accepts; the module decodes the same', async () => {
    const written = inFreshNode(`
      console.log(JSON.stringify(cc.writeCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)}, (iced) => { ${DECODE} })));`);
    expect(await readdir(cacheDir)).toEqual([written.slice(cacheDir.length + 1)]);
    expect(load()).toEqual({ use: 'from the code cache', seen: [['Mov', 5], ['Ret', 1]] });
  });

  it('ignores the cache once the file changes (new mtime), and a damaged cache is rejected, not trusted', async () => {
    const [name] = await readdir(cacheDir);
    await writeFile(join(cacheDir, name), Buffer.alloc(4096, 7));
    expect(load()).toEqual({ use: 'code cache rejected by V8', seen: [['Mov', 5], ['Ret', 1]] });
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(load()).toEqual({ use: 'no code cache for this file', seen: [['Mov', 5], ['Ret', 1]] });
  });

  it("the bundle directory carries iced-x86's glue, minified, with a cache V8 accepts, and it decodes as the installed one", () => {
    const load = (file: string) =>
      inFreshNode(`
        const { exports: iced, use } = cc.loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(join(REPO, 'dist/bundle'))});
        ${DECODE}
        console.log(JSON.stringify({ use, seen, exports: Object.keys(iced).sort() }));`);
    const bundled = load(join(REPO, 'dist/bundle/iced_x86.js'));
    const installed = load(join(ICED_DIR, 'iced_x86.js'));
    expect(bundled.use).toBe('from the code cache');
    expect(installed.use).toBe('no code cache for this file');
    expect(bundled.seen).toEqual([['Mov', 5], ['Ret', 1]]);
    expect({ seen: bundled.seen, exports: bundled.exports }).toEqual({ seen: installed.seen, exports: installed.exports });
  });

  it.each(['offsets.js', 'return-decoder-worker.js'])('the bundle %s is compiled from the code cache the build saved next to it', (name) => {
    const bundle = join(REPO, 'dist/bundle', name);
    const r = inFreshNode(`
      const { use } = cc.loadWithCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(join(REPO, 'dist/bundle'))});
      console.log(JSON.stringify({ use }));`);
    expect(r).toEqual({ use: 'from the code cache' });
  });
});
