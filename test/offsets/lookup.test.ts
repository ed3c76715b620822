import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTable, lookup, type LookupPolicy, type OffsetsTable } from '../../offsets/index.js';
import type { Arch, Observation, ObservationResult } from '../../offsets/observation.js';

const CTX = 'net/http.Request.ctx';
const STREAM = 'google.golang.org/grpc/internal/transport.Stream.id';

function ok(offset: number): ObservationResult {
  return { status: 'ok', offset };
}

function std(version: string, field: string, result: ObservationResult, arch: Arch = 'amd64'): Observation {
  return { module: 'std', version, source: 'go.dev', arch, field, result };
}

/**
 * The backport case: ctx moves from 232 to 240 in 1.21.5 and, in the 1.22
 * line, only in 1.22.1 (1.22.0 keeps the old layout). 1.21.8 was not scanned.
 */
function backportTable(): OffsetsTable {
  const obs: Observation[] = [];
  const layout: [string, number][] = [
    ['go1.20', 232], ['go1.20.1', 232], ['go1.20.4', 232],
    ['go1.21rc2', 232], ['go1.21.0', 232], ['go1.21.2', 232], ['go1.21.4', 232], ['go1.21.5', 240], ['go1.21.7', 240], ['go1.21.9', 240],
    ['go1.22.0', 232], ['go1.22.1', 240], ['go1.22.3', 240],
  ];
  for (const [v, off] of layout) for (const arch of ['amd64', 'arm64'] as const) obs.push(std(v, CTX, ok(off), arch));
  return buildTable(obs);
}

function q(table: OffsetsTable, go: string, policy: LookupPolicy = 'range', arch: Arch = 'amd64') {
  return lookup(table, { field: CTX, go, arch, policy });
}

describe('lookup: the backport case', () => {
  const t = backportTable();
  it('stores the change and the older layout of 1.22.0 as separate runs', () => {
    expect(t.modules.std.fields[CTX]).toEqual({
      runs: [['go1.20', 'go1.21.4', 232], ['go1.21.5', 'go1.21.9', 240], ['go1.22.0', 'go1.22.0', 232], ['go1.22.1', 'go1.22.3', 240]],
    });
  });
  it.each([
    ['go1.21.4', 232, 'scanned'],
    ['go1.21.5', 240, 'scanned'],
    ['go1.22.0', 232, 'scanned'],
    ['go1.22.1', 240, 'scanned'],
    ['go1.21.3', 232, 'inferred'],
    ['go1.21.8', 240, 'inferred'],
    ['go1.22.2', 240, 'inferred'],
    ['go1.20.3', 232, 'inferred'],
  ])('%s → %d (%s)', (v, offset, status) => {
    expect(q(t, v)).toMatchObject({ offset, status, policy: 'range' });
  });
  it('never bridges a change: an unscanned release between two that disagree is unknown', () => {
    const t2 = buildTable([std('go1.21.4', CTX, ok(232)), std('go1.21.6', CTX, ok(240))]);
    expect(q(t2, 'go1.21.5')).toMatchObject({ status: 'unknown', offset: null });
    expect(q(t2, 'go1.21.5').message).toContain('changes between go1.21.4 (232) and go1.21.6 (240)');
  });
});

describe('lookup: range at the edges of runs and minor lines', () => {
  const t = backportTable();
  it('does not infer past the newest scanned release of a line', () => {
    expect(q(t, 'go1.21.10')).toMatchObject({ status: 'unknown', offset: null });
    expect(q(t, 'go1.22.4')).toMatchObject({ status: 'unknown', offset: null });
    expect(q(t, 'go1.25.0')).toMatchObject({ status: 'unknown', offset: null });
  });
  it('does not infer across minor lines, even when both sides agree', () => {
    // go1.20.5 … go1.20.x: 1.20.4 is the newest 1.20 scanned; 1.21rc2 and 1.21.0 agree but are another line.
    expect(q(t, 'go1.20.5')).toMatchObject({ status: 'unknown' });
    expect(q(t, 'go1.19.13')).toMatchObject({ status: 'unknown' });
  });
  it('does not infer before the first scanned release of a line or for pre-releases', () => {
    expect(q(t, 'go1.21.1')).toMatchObject({ status: 'inferred', offset: 232 }); // 1.21.0 … 1.21.2
    expect(q(t, 'go1.21rc1')).toMatchObject({ status: 'unknown' });
    expect(q(t, 'go1.21rc2')).toMatchObject({ status: 'scanned', offset: 232 });
  });
  it('ignores vendor suffixes and GOEXPERIMENTs', () => {
    expect(q(t, 'go1.21.8 X:boringcrypto')).toMatchObject({ status: 'inferred', offset: 240, version: 'go1.21.8' });
    expect(q(t, 'go1.21.9 (Red Hat 1.21.9-1.el9)')).toMatchObject({ status: 'scanned', offset: 240 });
    expect(q(t, '1.20')).toMatchObject({ status: 'scanned', offset: 232, version: 'go1.20' });
    expect(q(t, 'go1.20.0')).toMatchObject({ status: 'scanned', offset: 232, version: 'go1.20' });
  });
  it('exact answers scanned versions only', () => {
    expect(q(t, 'go1.21.5', 'exact')).toMatchObject({ status: 'scanned', offset: 240 });
    expect(q(t, 'go1.21.8', 'exact')).toMatchObject({ status: 'unknown', offset: null, policy: 'exact' });
  });
  it('treats devel builds as unknown except under nearest (the field is not stable here)', () => {
    const devel = 'devel go1.23-abc123 Tue Mar 5 10:00:00 2024 +0000';
    expect(q(t, devel, 'range')).toMatchObject({ status: 'unknown' });
    expect(q(t, devel, 'stable')).toMatchObject({ status: 'unknown' });
    const near = q(t, devel, 'nearest');
    expect(near).toMatchObject({ status: 'inferred', offset: 240, basis: ['go1.22.3'] });
    expect(near.message).toMatch(/^WARNING/);
  });
});

describe('lookup: stable and nearest', () => {
  const obs: Observation[] = [];
  for (const v of ['go1.12', 'go1.15.3', 'go1.21.0', 'go1.22.5']) {
    obs.push(std(v, 'runtime.g.goid', ok(152)), std(v, CTX, ok(v === 'go1.22.5' ? 240 : 232)));
    obs.push(std(v, 'net/http.Request.pat', v === 'go1.22.5' ? ok(248) : { status: 'absent' }));
    obs.push(std(v, 'bufio.Writer.buf', v === 'go1.15.3' ? { status: 'failed', error: 'x' } : ok(16)));
  }
  const t = buildTable(obs);
  it('stable answers anywhere for a field that never moved', () => {
    expect(lookup(t, { field: 'runtime.g.goid', go: 'go1.30.1', arch: 'amd64', policy: 'stable' })).toMatchObject({ status: 'inferred', offset: 152 });
    expect(lookup(t, { field: 'runtime.g.goid', go: 'go1.30.1', arch: 'amd64', policy: 'range' })).toMatchObject({ status: 'unknown' });
    expect(lookup(t, { field: CTX, go: 'go1.30.1', arch: 'amd64', policy: 'stable' })).toMatchObject({ status: 'unknown' });
  });
  it('stable refuses a field with a failed scan', () => {
    const r = lookup(t, { field: 'bufio.Writer.buf', go: 'go1.16.1', arch: 'amd64', policy: 'stable' });
    expect(r).toMatchObject({ status: 'unknown' });
    expect(r.message).toContain('failed');
  });
  it('a failed scan is never read as absent or as a value', () => {
    expect(lookup(t, { field: 'bufio.Writer.buf', go: 'go1.15.3', arch: 'amd64', policy: 'exact' })).toMatchObject({ status: 'unknown', offset: null });
  });
  it('absent is an answer, not an error', () => {
    expect(lookup(t, { field: 'net/http.Request.pat', go: 'go1.21.0', arch: 'amd64' })).toMatchObject({ status: 'absent', offset: null });
  });
  it('nearest prefers the same minor line, then older, and warns', () => {
    const same = lookup(t, { field: CTX, go: 'go1.22.9', arch: 'amd64', policy: 'nearest' });
    expect(same).toMatchObject({ status: 'inferred', offset: 240, basis: ['go1.22.5'] });
    expect(same.message).toContain('WARNING');
    expect(lookup(t, { field: CTX, go: 'go1.22.1', arch: 'amd64', policy: 'nearest' })).toMatchObject({ offset: 240, basis: ['go1.22.5'] });
    expect(lookup(t, { field: CTX, go: 'go1.18.2', arch: 'amd64', policy: 'nearest' })).toMatchObject({ offset: 232, basis: ['go1.15.3'] });
    expect(lookup(t, { field: CTX, go: 'go1.11.2', arch: 'amd64', policy: 'nearest' })).toMatchObject({ offset: 232, basis: ['go1.12'] });
  });
});

describe('lookup: archs, modules and bad input', () => {
  const obs: Observation[] = [];
  for (const v of ['v1.59.0', 'v1.60.0', 'v1.60.2', 'v1.61.0']) {
    obs.push({ module: 'google.golang.org/grpc', version: v, source: 'proxy', arch: 'amd64', field: STREAM, result: ok(v === 'v1.61.0' ? 8 : 0) });
    obs.push({ module: 'google.golang.org/grpc', version: v, source: 'proxy', arch: 'arm64', field: STREAM, result: ok(v === 'v1.61.0' ? 16 : 0) });
  }
  obs.push(std('go1.21.0', CTX, ok(232), 'amd64'));
  const t = buildTable(obs);
  it('keeps per-arch runs where archs differ and answers each arch', () => {
    expect(Object.keys((t.modules['google.golang.org/grpc'].fields[STREAM] as { byArch: object }).byArch)).toEqual(['amd64', 'arm64']);
    expect(lookup(t, { field: STREAM, moduleVersion: 'v1.61.0', arch: 'arm64' })).toMatchObject({ offset: 16, status: 'scanned' });
    expect(lookup(t, { field: STREAM, moduleVersion: 'v1.60.1', arch: 'arm64' })).toMatchObject({ offset: 0, status: 'inferred' });
    expect(lookup(t, { field: CTX, go: 'go1.21.0', arch: 'arm64' })).toMatchObject({ status: 'unknown', message: `${CTX} was not scanned for arm64` });
  });
  it('a module version that names nothing is unknown for that field, not an error', () => {
    for (const v of ['(devel)', '', undefined]) {
      const r = lookup(t, { field: STREAM, moduleVersion: v, arch: 'amd64' });
      expect(r).toMatchObject({ status: 'unknown', offset: null });
      expect(r.message).toContain('google.golang.org/grpc');
    }
  });
  it('pseudo-versions and +incompatible are ordered, but only exact/stable/nearest answer pre-releases', () => {
    expect(lookup(t, { field: STREAM, moduleVersion: 'v1.60.1-0.20240101000000-abcdefabcdef', arch: 'amd64' })).toMatchObject({ status: 'unknown' });
    expect(lookup(t, { field: STREAM, moduleVersion: 'v1.60.1-0.20240101000000-abcdefabcdef', arch: 'amd64', policy: 'nearest' })).toMatchObject({
      status: 'inferred',
      basis: ['v1.60.0'],
    });
  });
  it.each([
    [{ field: 'net/http.Request.nope', go: 'go1.21.0' }, 'ERR_UNKNOWN_FIELD'],
    [{ field: CTX, go: 'banana' }, 'ERR_BAD_GO_VERSION'],
    [{ field: CTX }, 'ERR_BAD_GO_VERSION'],
    [{ field: STREAM, moduleVersion: 'v1.x' }, 'ERR_BAD_MODULE_VERSION'],
    [{ field: CTX, go: 'go1.21.0', policy: 'closest' }, 'ERR_BAD_POLICY'],
    [{ field: CTX, go: 'go1.21.0', arch: 'riscv64' }, 'ERR_BAD_ARCH'],
  ])('%j → %s', (query, code) => {
    expect(() => lookup(t, { arch: 'amd64', ...query } as never)).toThrow(expect.objectContaining({ code }));
  });
});

describe('lookup agrees with a brute-force reading of the observations', () => {
  /** Versions as (minor, patch) of lines 1.19–1.22; the oracle orders them as tuples. */
  const scanned = fc.uniqueArray(fc.tuple(fc.integer({ min: 19, max: 22 }), fc.integer({ min: 0, max: 8 })), {
    selector: ([m, p]) => `${m}.${p}`,
    minLength: 1,
    maxLength: 25,
  });
  const name = ([m, p]: [number, number]) => (p === 0 && m < 21 ? `go1.${m}` : `go1.${m}.${p}`);
  const valueOf = fc.constantFrom<ObservationResult>(ok(8), ok(16), { status: 'absent' }, { status: 'failed', error: 'x' });

  it('under exact and range', () => {
    fc.assert(
      fc.property(scanned, fc.array(valueOf, { minLength: 25, maxLength: 25 }), fc.tuple(fc.integer({ min: 18, max: 23 }), fc.integer({ min: 0, max: 9 })), (vs, results, query) => {
        const obs = vs.map((v, i) => std(name(v), CTX, results[i]));
        obs.push(std('go1.18', 'runtime.g.goid', ok(1))); // keeps the table non-empty
        const t = buildTable(obs);
        const known = vs.map((v, i) => ({ v, r: results[i] })).filter((e) => e.r.status !== 'failed');
        const show = (r: ObservationResult) => (r.status === 'ok' ? r.offset : null);
        const at = vs.findIndex(([m, p]) => m === query[0] && p === query[1]);
        const exact = at >= 0 && results[at].status !== 'failed' ? results[at] : undefined;

        const rExact = lookup(t, { field: CTX, go: name(query), arch: 'amd64', policy: 'exact' });
        if (exact) expect(rExact).toMatchObject({ status: exact.status === 'ok' ? 'scanned' : 'absent', offset: show(exact) });
        else expect(rExact).toMatchObject({ status: 'unknown', offset: null });

        const rRange = lookup(t, { field: CTX, go: name(query), arch: 'amd64', policy: 'range' });
        if (exact) return;
        const sameLine = known.filter((e) => e.v[0] === query[0]);
        const below = sameLine.filter((e) => e.v[1] < query[1]).sort((a, b) => b.v[1] - a.v[1])[0];
        const above = sameLine.filter((e) => e.v[1] > query[1]).sort((a, b) => a.v[1] - b.v[1])[0];
        if (below && above && show(below.r) === show(above.r)) {
          expect(rRange).toMatchObject({ status: show(below.r) === null ? 'absent' : 'inferred', offset: show(below.r) });
        } else {
          expect(rRange).toMatchObject({ status: 'unknown', offset: null });
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('lookup: a version scanned for the module but not for the field', () => {
  // Pattern is tracked from go1.23 on: go1.21.13 was scanned (ctx has a value there), Pattern was not.
  const PATTERN = 'net/http.Request.Pattern';
  const t = buildTable([std('go1.21.13', CTX, ok(232)), std('go1.23.5', CTX, ok(248)), std('go1.23.5', PATTERN, ok(232))]);
  it('says the field was not scanned there, not that the version was not', () => {
    const r = lookup(t, { field: PATTERN, go: 'go1.21.13', arch: 'amd64', policy: 'exact' });
    expect(r).toMatchObject({ status: 'unknown', offset: null });
    expect(r.message).toBe(`std go1.21.13 was scanned, but not for ${PATTERN} (outside the versions the field is tracked for; no policy infers there)`);
    expect(lookup(t, { field: PATTERN, go: 'go1.21.12', arch: 'amd64', policy: 'exact' }).message).toBe('std go1.21.12 was not scanned (policy exact)');
  });
});

describe('lookup: a field tracked only from some version on (config bounds)', () => {
  // Request.Pattern exists from go1.23: the tracker scans it there only, while ctx is scanned everywhere.
  const PATTERN = 'net/http.Request.Pattern';
  const obs: Observation[] = [];
  for (const v of ['go1.21.0', 'go1.21.4', 'go1.22.0', 'go1.23.0', 'go1.23.2', 'go1.24.0']) obs.push(std(v, CTX, ok(232)));
  for (const v of ['go1.23.0', 'go1.23.2', 'go1.24.0']) obs.push(std(v, PATTERN, ok(248)));
  const t = buildTable(obs);
  const p = (go: string, policy: LookupPolicy) => lookup(t, { field: PATTERN, go, arch: 'amd64', policy });

  it('is unknown under every policy at a scanned version where the field was not tracked', () => {
    for (const policy of ['exact', 'range', 'stable', 'nearest'] as const) {
      const r = p('go1.21.4', policy);
      expect(r, policy).toMatchObject({ status: 'unknown', offset: null });
      expect(r.message).toMatch(/outside the versions the field is tracked for/);
    }
  });

  it('does not reach across an untracked scanned version under nearest or stable', () => {
    expect(p('go1.22.5', 'nearest')).toMatchObject({ status: 'unknown', offset: null });
    expect(p('go1.21.2', 'stable')).toMatchObject({ status: 'unknown', offset: null });
  });

  it('still infers inside the tracked span', () => {
    expect(p('go1.23.1', 'range')).toMatchObject({ status: 'inferred', offset: 248 });
    expect(p('go1.24.3', 'nearest')).toMatchObject({ status: 'inferred', offset: 248 });
    expect(p('go1.23.5', 'nearest').message).toMatch(/WARNING/);
  });
});
