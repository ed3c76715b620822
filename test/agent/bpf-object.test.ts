// The compiled eBPF objects, opened through the loader addon: every offset
// the agent resolves is a settable .rodata constant in both arches' objects.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allConstantNames } from '../../agent/fields.js';
import { GRPC_MAPS, PROBES, type Probe } from '../../agent/probes.js';
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

  it('loads only the programs of the probes asked for; the gRPC maps can be made one entry long', () => {
    const obj = new (loaderAddon().BpfObject)(join(REPO, 'bpf/nethttp.amd64.o'));
    try {
      for (const map of GRPC_MAPS) obj.setMaxEntries(map, 1);
      for (const probe of Object.values(PROBES) as Probe[]) for (const program of [probe.enter, probe.ret]) if (program) obj.setAutoload(program, false);
      obj.setAutoload('server_enter', true);
      expect(() => obj.setAutoload('no_such_program', false)).toThrow(/no program named no_such_program/);
      expect(() => obj.setMaxEntries('no_such_map', 1)).toThrow(/no map named no_such_map/);
      obj.load();
      expect(() => obj.attachUprobe('client_enter', '/bin/true', 0, -1)).toThrow(/attach client_enter/);
    } finally {
      obj.close();
    }
  });

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
