import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareModuleVersions, parseModuleVersion } from '../../offsets/module-version.js';
import { isGoOffsetsError } from '../../common/errors.js';

function sv(raw: string): semver.SemVer {
  const v = parseModuleVersion(raw);
  if (v.kind !== 'semver') throw new Error(`${raw} is not semver`);
  return v.parsed;
}

describe('parseModuleVersion', () => {
  it('reads plain, +incompatible and pseudo-versions', () => {
    expect(parseModuleVersion('v1.60.0')).toMatchObject({ kind: 'semver', canonical: 'v1.60.0', line: '1.60', prerelease: false, pseudo: false });
    expect(parseModuleVersion('v2.0.0+incompatible')).toMatchObject({ canonical: 'v2.0.0+incompatible', line: '2.0', incompatible: true, prerelease: false });
    expect(parseModuleVersion('v0.0.0-20191109021931-daa7c04131f5')).toMatchObject({ pseudo: true, prerelease: true, line: '0.0' });
    expect(parseModuleVersion('v1.2.4-0.20191109021931-daa7c04131f5')).toMatchObject({ pseudo: true, line: '1.2' });
    expect(parseModuleVersion('v1.2.3-pre.0.20191109021931-daa7c04131f5')).toMatchObject({ pseudo: true });
    expect(parseModuleVersion('v1.61.0-rc.1')).toMatchObject({ pseudo: false, prerelease: true });
    expect(parseModuleVersion('1.60.0')).toMatchObject({ canonical: 'v1.60.0' });
  });

  it('reads (devel) and a missing version as versionless, not as errors', () => {
    expect(parseModuleVersion('(devel)')).toEqual({ kind: 'devel', raw: '(devel)' });
    expect(parseModuleVersion('')).toEqual({ kind: 'missing', raw: '' });
    expect(parseModuleVersion(undefined)).toEqual({ kind: 'missing', raw: '' });
  });

  it.each(['banana', 'v1.2', 'v1', 'vv1.2.3', 'v1.2.3.4', 'latest'])('rejects %j with ERR_BAD_MODULE_VERSION', (raw) => {
    expect(() => parseModuleVersion(raw)).toThrow(expect.objectContaining({ code: 'ERR_BAD_MODULE_VERSION' }));
    try {
      parseModuleVersion(raw);
    } catch (e) {
      expect(isGoOffsetsError(e)).toBe(true);
    }
  });

  it('orders pseudo-versions between their base and the next release', () => {
    const ordered = [
      'v0.0.0-20180101000000-aaaaaaaaaaaa',
      'v0.0.0-20191109021931-daa7c04131f5',
      'v1.2.3',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.4-0.20200101000000-bbbbbbbbbbbb',
      'v1.2.4-rc.1',
      'v1.2.4',
      'v1.10.0',
      'v2.0.0+incompatible',
    ];
    const sorted = [...ordered].reverse().sort((a, b) => compareModuleVersions(sv(a), sv(b)));
    expect(sorted).toEqual(ordered);
  });
});
