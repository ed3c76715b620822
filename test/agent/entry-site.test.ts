// The entry uprobe goes on the jbe of a Go function's stack-bound check
// (agent/entry-site.ts), where the kernel emulates the instruction instead of
// single-stepping it. On real targets built by every register-ABI toolchain of
// the matrix, objdump (the oracle) must see a jbe there, and before it only the
// check's lea into r12 and its compare: nothing the entry programs read
// (argument registers, g in r14) has changed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { entryProbeOffset } from '../../agent/entry-site.js';
import { PROBES } from '../../agent/probes.js';
import { GoBinary } from '../../gobin/binary.js';
import { matrixToolchains } from '../support/toolchains.js';
import { buildApp, hasRegisterAbi } from './support.js';

const run = promisify(execFile);
const toolchains = (await matrixToolchains()).filter(hasRegisterAbi);

describe('entry probe site', () => {
  it('is the jbe after the compare with g.stackguard0, with or without the lea of a larger frame', () => {
    const cmpRsp = [0x49, 0x3b, 0x66, 0x10];
    const cmpR12 = [0x4d, 0x3b, 0x66, 0x10];
    const code = (...bytes: number[]) => Uint8Array.from([...bytes, 0x55, 0x48, 0x89, 0xe5]);
    expect(entryProbeOffset('amd64', code(...cmpRsp, 0x76, 0x20), 0x1000)).toBe(0x1004);
    expect(entryProbeOffset('amd64', code(...cmpRsp, 0x0f, 0x86, 1, 2, 0, 0), 0x1000)).toBe(0x1004);
    expect(entryProbeOffset('amd64', code(0x4c, 0x8d, 0x64, 0x24, 0xb0, ...cmpR12, 0x76, 0x20), 0x1000)).toBe(0x1009);
    expect(entryProbeOffset('amd64', code(0x4c, 0x8d, 0xa4, 0x24, 0x68, 0xfe, 0xff, 0xff, ...cmpR12, 0x0f, 0x86, 1, 2, 0, 0), 0x1000)).toBe(0x100c);
  });

  it('is the entry for anything else: no check, another register, another jump, a cut-off function, arm64', () => {
    expect(entryProbeOffset('amd64', Uint8Array.of(0x55, 0x48, 0x89, 0xe5), 0x1000)).toBe(0x1000);
    expect(entryProbeOffset('amd64', Uint8Array.of(0x49, 0x3b, 0x66, 0x10, 0x77, 0x20), 0x1000)).toBe(0x1000);
    expect(entryProbeOffset('amd64', Uint8Array.of(0x4d, 0x3b, 0x66, 0x10, 0x76, 0x20), 0x1000)).toBe(0x1000); // r12 never set
    expect(entryProbeOffset('amd64', Uint8Array.of(0x4c, 0x8d, 0x64, 0x24, 0xb0, 0x49, 0x3b, 0x66, 0x10, 0x76, 0x20), 0x1000)).toBe(0x1000); // lea r12, then cmp rsp
    expect(entryProbeOffset('amd64', Uint8Array.of(0x49, 0x3b, 0x66), 0x1000)).toBe(0x1000);
    expect(entryProbeOffset('arm64', Uint8Array.of(0x49, 0x3b, 0x66, 0x10, 0x76, 0x20), 0x1000)).toBe(0x1000);
  });

  for (const tc of toolchains) {
    it(`${tc.version}: objdump sees a jbe there, after nothing but the check, in the probed net/http functions`, async () => {
      const path = await buildApp(tc, 'stripped');
      const bin = GoBinary.openSync(path);
      for (const probe of [PROBES.httpServer, PROBES.httpClient]) {
        const fn = bin.findFunction(probe.functions[0])!;
        const site = entryProbeOffset(String(bin.arch), bin.code(fn), fn.fileOffset);
        expect(site, fn.name).toBeGreaterThan(fn.fileOffset);
        const vaddr = fn.entry + (site - fn.fileOffset);
        const { stdout } = await run('objdump', ['-d', '--no-show-raw-insn', `--start-address=0x${fn.entry.toString(16)}`, `--stop-address=0x${(vaddr + 6).toString(16)}`, path]);
        const insns = [...stdout.matchAll(/^\s*([0-9a-f]+):\s+(.+?)\s*$/gm)].map((m) => ({ addr: parseInt(m[1], 16), text: m[2] })).filter((i) => i.addr <= vaddr);
        expect(insns.at(-1)!.addr, fn.name).toBe(vaddr);
        expect(insns.at(-1)!.text, fn.name).toMatch(/^jbe\s/);
        for (const { text } of insns.slice(0, -1)) expect(text, fn.name).toMatch(/^(lea\s+-?0x[0-9a-f]+\(%rsp\),%r12|cmp\s+0x10\(%r14\),%(rsp|r12))$/);
      }
    });
  }
});
