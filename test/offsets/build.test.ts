import { describe, expect, it } from 'vitest';
import { buildTable, mergeTables, scannedVersions, serializeTable, tableObservations } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';

const base: Observation = { module: 'std', version: 'go1.21.0', source: 'go.dev', arch: 'amd64', field: 'net/http.Request.ctx', result: { status: 'ok', offset: 232 } };

describe('buildTable', () => {
  it('lists each scanned version once, in Go order, with all its sources', () => {
    const t = buildTable([
      { ...base, version: 'go1.21.10' },
      { ...base, version: 'go1.21.2', source: 'debian:trixie' },
      { ...base, version: 'go1.21.2' },
      { ...base, version: 'go1.21rc2' },
      { ...base, version: 'go1.20.0' },
    ]);
    expect(scannedVersions(t, 'std')).toEqual([
      { version: 'go1.20', sources: ['go.dev'] },
      { version: 'go1.21rc2', sources: ['go.dev'] },
      { version: 'go1.21.2', sources: ['debian:trixie', 'go.dev'] },
      { version: 'go1.21.10', sources: ['go.dev'] },
    ]);
    expect(scannedVersions(t, 'google.golang.org/grpc')).toEqual([]);
  });

  it('merges archs that agree into one run list', () => {
    const t = buildTable([base, { ...base, arch: 'arm64' }]);
    expect(t.modules.std).toMatchObject({ archs: ['amd64', 'arm64'], fields: { 'net/http.Request.ctx': { runs: [['go1.21.0', 'go1.21.0', 232]] } } });
  });

  it('lets a success replace a failure, and stores failures that were never retried', () => {
    const failed: Observation = { ...base, result: { status: 'failed', error: 'link error' } };
    expect(serializeTable(buildTable([failed, base]))).toBe(serializeTable(buildTable([base])));
    const t = buildTable([failed]);
    expect(t.modules.std.fields['net/http.Request.ctx']).toEqual({ runs: [['go1.21.0', 'go1.21.0', 'failed']] });
    expect(tableObservations(t)).toEqual([{ ...base, result: { status: 'failed', error: 'failed in an earlier scan' } }]);
  });

  it('refuses two observations that disagree, naming them', () => {
    expect(() => buildTable([base, { ...base, result: { status: 'absent' } }])).toThrow(
      expect.objectContaining({ code: 'ERR_TABLE_CONFLICT', message: expect.stringContaining('std go1.21.0 amd64 net/http.Request.ctx') }),
    );
    expect(() => mergeTables([buildTable([base]), buildTable([{ ...base, result: { status: 'ok', offset: 8 } }])])).toThrow(
      expect.objectContaining({ code: 'ERR_TABLE_CONFLICT' }),
    );
  });

  it.each([
    ['a devel Go version', { version: 'devel go1.23-abc' }],
    ['a malformed Go version', { version: 'go1.x' }],
    ['a (devel) module version', { module: 'google.golang.org/grpc', version: '(devel)', field: 'google.golang.org/grpc.ClientConn.target' }],
    ['a field outside its module', { module: 'google.golang.org/grpc', version: 'v1.60.0' }],
    ['a module package under std', { field: 'google.golang.org/grpc.ClientConn.target' }],
    ['a bad selector', { field: 'net/http.Request' }],
    ['a bad arch', { arch: 'mips' }],
    ['a negative offset', { result: { status: 'ok', offset: -1 } }],
    ['an unknown status', { result: { status: 'maybe' } }],
    ['no source', { source: '' }],
  ])('rejects %s with ERR_BAD_OBSERVATION', (_what, patch) => {
    expect(() => buildTable([{ ...base, ...patch } as Observation])).toThrow(expect.objectContaining({ code: 'ERR_BAD_OBSERVATION' }));
  });
});
