import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalGoVersion, compareGoVersions, parseGoVersion } from '../../offsets/go-version.js';
import { isGoOffsetsError } from '../../common/errors.js';

describe('parseGoVersion', () => {
  it.each([
    ['go1.21.13', { kind: 'release', major: 1, minor: 21, patch: 13, pre: undefined, suffix: '' }, 'go1.21.13'],
    ['go1.22rc1', { kind: 'release', major: 1, minor: 22, patch: 0, pre: { kind: 'rc', n: 1 }, suffix: '' }, 'go1.22rc1'],
    ['go1.9beta1', { kind: 'release', major: 1, minor: 9, patch: 0, pre: { kind: 'beta', n: 1 }, suffix: '' }, 'go1.9beta1'],
    ['go1.20.7 X:boringcrypto', { kind: 'release', major: 1, minor: 20, patch: 7, suffix: ' X:boringcrypto' }, 'go1.20.7'],
    ['go1.21.9 (Red Hat 1.21.9-1.el9)', { kind: 'release', major: 1, minor: 21, patch: 9, suffix: ' (Red Hat 1.21.9-1.el9)' }, 'go1.21.9'],
    ['1.21.5', { kind: 'release', major: 1, minor: 21, patch: 5 }, 'go1.21.5'],
    ['go1.20', { kind: 'release', major: 1, minor: 20, patch: 0 }, 'go1.20'],
    ['go1.20.0', { kind: 'release', major: 1, minor: 20, patch: 0 }, 'go1.20'],
    ['go1.21.0', { kind: 'release', major: 1, minor: 21, patch: 0 }, 'go1.21.0'],
    ['go1.21', { kind: 'release', major: 1, minor: 21, patch: 0 }, 'go1.21.0'],
  ])('%s', (raw, fields, canonical) => {
    const v = parseGoVersion(raw);
    expect(v).toMatchObject(fields);
    expect(canonicalGoVersion(v)).toBe(canonical);
  });

  it('devel builds keep their line and raw text', () => {
    const v = parseGoVersion('devel go1.23-abc123 Tue Mar 5 10:00:00 2024 +0000');
    expect(v).toMatchObject({ kind: 'devel', major: 1, minor: 23, suffix: '-abc123 Tue Mar 5 10:00:00 2024 +0000' });
    expect(parseGoVersion('devel +b7a85e0003 Tue Oct 4 2022').major).toBe(Number.POSITIVE_INFINITY);
  });

  it.each(['', 'go', 'banana', 'go1', 'go1.21.x', 'go1.21.0rc1', 'go1.21.5-foo', 'v1.21.5', '1.21.5.6'])('rejects %j with ERR_BAD_GO_VERSION', (raw) => {
    let err: unknown;
    try {
      parseGoVersion(raw);
    } catch (e) {
      err = e;
    }
    expect(isGoOffsetsError(err, 'ERR_BAD_GO_VERSION')).toBe(true);
    expect((err as Error).message).toContain(JSON.stringify(raw));
  });
});

describe('compareGoVersions', () => {
  it('orders releases as Go does', () => {
    const ordered = [
      'go1.9beta1', 'go1.9rc2', 'go1.9', 'go1.9.7', 'go1.20', 'go1.20.1', 'go1.20.14',
      'devel go1.21-abc', 'go1.21rc2', 'go1.21rc3', 'go1.21.0', 'go1.21.1', 'go1.21.13', 'go1.22rc1', 'go1.22.0',
    ];
    const shuffled = [...ordered].reverse();
    shuffled.sort((a, b) => compareGoVersions(parseGoVersion(a), parseGoVersion(b)));
    expect(shuffled).toEqual(ordered);
  });

  it('ignores suffixes and the .0 of a first release', () => {
    expect(compareGoVersions(parseGoVersion('go1.20'), parseGoVersion('go1.20.0'))).toBe(0);
    expect(compareGoVersions(parseGoVersion('go1.20.7 X:boringcrypto'), parseGoVersion('go1.20.7'))).toBe(0);
    expect(compareGoVersions(parseGoVersion('go1.21.9 (Red Hat 1.21.9-1.el9)'), parseGoVersion('go1.21.10'))).toBe(-1);
  });
});

describe('Go version order, against tuple order', () => {
  // (minor, phase, n): phase 0 beta, 1 rc, 2 release (n = patch); the oracle is plain tuple order.
  const version = fc.tuple(fc.integer({ min: 5, max: 30 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 20 }));
  const render = ([minor, phase, n]: [number, number, number]) =>
    phase === 0 ? `go1.${minor}beta${n + 1}` : phase === 1 ? `go1.${minor}rc${n + 1}` : n === 0 && minor < 21 ? `go1.${minor}` : `go1.${minor}.${n}`;
  const tupleOrder = (a: number[], b: number[]) => Math.sign(a[0] - b[0]) || Math.sign(a[1] - b[1]) || Math.sign(a[2] - b[2]);

  it('orders like the tuples and canonical forms are fixed points', () => {
    fc.assert(
      fc.property(version, version, fc.constantFrom('', ' X:boringcrypto', ' (Red Hat 1.21.9-1.el9)'), (a, b, suffix) => {
        const pa = parseGoVersion(render(a) + suffix);
        expect(compareGoVersions(pa, parseGoVersion(render(b)))).toBe(tupleOrder(a, b));
        expect(canonicalGoVersion(parseGoVersion(canonicalGoVersion(pa)))).toBe(render(a));
      }),
      { numRuns: 500 },
    );
  });
});
