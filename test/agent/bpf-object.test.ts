// The compiled eBPF objects, opened through the loader addon: every offset
// the agent resolves is a settable .rodata constant in both arches' objects.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allConstantNames } from '../../agent/fields.js';
import { loaderAddon } from '../../agent/native.js';
import { REPO } from './support.js';

describe('bpf objects', () => {
  for (const arch of ['amd64', 'arm64']) {
    it(`nethttp.${arch}.o takes every constant of FIELDS and FEATURES before load, and nothing else`, () => {
      const obj = new (loaderAddon().BpfObject)(join(REPO, `bpf/nethttp.${arch}.o`));
      try {
        for (const name of allConstantNames()) obj.setConst(name, 8n);
        expect(() => obj.setConst('off_not_there', 1n)).toThrow(/no constant named off_not_there/);
      } finally {
        obj.close();
      }
    });
  }

  it('names the file when the object cannot be opened', () => {
    expect(() => new (loaderAddon().BpfObject)('/nonexistent/x.o')).toThrow(/open \/nonexistent\/x\.o/);
  });

  it('refuses a constant after load (the verifier has seen .rodata)', () => {
    const obj = new (loaderAddon().BpfObject)(join(REPO, 'bpf/nethttp.amd64.o'));
    try {
      obj.load();
      expect(() => obj.setConst('off_g_goid', 1n)).toThrow(/after load/);
    } finally {
      obj.close();
    }
  });
});
