// The function table read by gobin equals Go's debug/gosym run with the toolchain that
// built the binary (test/oracle/gosym), for every probe; and the moduledata scan used
// when the header has no text start (Go 1.26+) agrees with the header where it has one.
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../gobin/memory.js';
import { GoBinary, findModuleData, locatePclntab, parseFunctions, parseHeader } from '../../gobin/index.js';
import { testProbes } from '../oracle/buildinfo/fallback-probes.js';
import { gosymFunctions } from '../oracle/gosym/oracle.js';

const probes = await testProbes();

describe('pclntab vs debug/gosym', () => {
  it('has probes to check', () => {
    expect(probes.length, 'no probe binaries: the toolchain matrix or the probe build is missing').toBeGreaterThan(0);
  });
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}`, async () => {
      const bin = await GoBinary.open(p.path);
      const got = bin.functions();
      const want = await gosymFunctions(p.toolchain, p.path);
      expect(got.length).toBe(want.funcs.length);
      expect(got.map((f) => ({ name: f.name, entry: f.entry, end: f.end }))).toEqual(want.funcs);
      for (const f of got) expect(bin.elf.fileOffsetToVaddr(f.fileOffset)).toBe(f.entry);
      expect(got.some((f) => f.name === 'net/http.serverHandler.ServeHTTP')).toBe(true);
    });
  }
});

describe('runtime.firstmoduledata', () => {
  for (const p of probes) {
    it(`${p.toolchain.version} ${p.variant}: its text agrees with the table`, async () => {
      const bin = await GoBinary.open(p.path);
      const loc = locatePclntab(bin.elf);
      const hdr = parseHeader(loc.data, loc.source);
      if (hdr.layout === '1.2' || hdr.layout === '1.16') {
        // Absolute entries: nothing to rebase; the facade must say so.
        expect(bin.functionTable().textSource).toBe('absolute entries');
        return;
      }
      const raw = parseFunctions(loc.data, hdr, loc.source);
      const md = findModuleData(bin.elf, new AddressSpace(bin.elf), loc.addr, hdr, raw[0].entry, raw[raw.length - 1].end);
      if (hdr.textStart !== 0) expect(md.text).toBe(hdr.textStart);
      else expect(bin.functionTable().textSource).toBe('runtime.firstmoduledata');
      expect(md.text).toBe(bin.functionTable().textStart);
    });
  }
});
