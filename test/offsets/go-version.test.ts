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
