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

describe('regeneration diffs', () => {
  /** Lines added and removed from a to b, counted as multisets (repeated lines count each time). */
  function lineDiff(a: string, b: string): { added: string[]; removed: string[] } {
    const count = new Map<string, number>();
    for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
    const added: string[] = [];
    for (const l of b.split('\n')) {
      const n = count.get(l) ?? 0;
      if (n > 0) count.set(l, n - 1);
      else added.push(l.trim());
    }
    const removed = [...count].flatMap(([l, n]) => Array<string>(n).fill(l.trim()));
    return { added, removed };
  }
  const versions = ['go1.21.0', 'go1.21.1', 'go1.21.3', 'go1.22.0', 'go1.22.1'];
  const fields = ['net/http.Request.ctx', 'net/http.Request.Host', 'runtime.g.goid'];
  const obsFor = (vs: string[], value: (v: string, f: string) => number) =>
    vs.flatMap((version) => fields.map((field): Observation => ({ ...base, version, field, result: { status: 'ok', offset: value(version, field) } })));
  const layout = (v: string, f: string) => (f === 'net/http.Request.ctx' && v >= 'go1.22' ? 240 : 232);

  it('a newly scanned version inside a run adds one line: its version entry', () => {
    const before = serializeTable(buildTable(obsFor(versions, layout)));
    const after = serializeTable(buildTable(obsFor([...versions, 'go1.21.2'], layout)));
    expect(lineDiff(before, after)).toEqual({ added: ['["go1.21.2","go.dev"],'], removed: [] });
  });

  it('a real change shows as the runs it splits, nothing else', () => {
    const before = serializeTable(buildTable(obsFor(versions, layout)));
    const changed = (v: string, f: string) => (f === 'runtime.g.goid' && v === 'go1.22.1' ? 160 : layout(v, f));
    const after = serializeTable(buildTable(obsFor(versions, changed)));
    expect(lineDiff(before, after)).toEqual({
      added: ['["go1.21.0","go1.22.0",232],', '["go1.22.1","go1.22.1",160]'],
      removed: ['["go1.21.0","go1.22.1",232]'],
    });
  });
});
