// Every version string of the grammars, generated: each consumer of a version
// (the table's order, the tracker's bounds and lines, the agent's ABI check,
// the Debian mapping) gives the same answer, and Go's own go/version agrees
// wherever its grammar and ours meet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireRegisterAbi } from '../../agent/abi.js';
import { versionFromDebian } from '../../debian/version.js';
import { canonicalGoVersion, compareGoVersions, goMinorLine, parseGoVersion } from '../../offsets/go-version.js';
import { compareModuleVersions, parseModuleVersion } from '../../offsets/module-version.js';
import { compareTableVersions, compareTaggedVersions, parseTaggedVersion, parseVersionFor, taggedMinorLine, versionWithinBounds, type TableVersion } from '../../offsets/versions.js';
import { withinBounds } from '../../tracker/config.js';
import { goVersionOracle } from '../oracle/goversion/oracle.js';

/** A Go version as a tuple: [minor, phase (0 devel, 1 pre-release, 2 release), pre kind, pre n (-1: none) or patch]. */
type GoTuple = { minor: number; phase: 0 | 1 | 2; kind: string; n: number };
const KINDS = ['alpha', 'beta', 'rc'];
const SUFFIXES = ['', ' X:boringcrypto', ' X:nocoverageredesign,boringcrypto', ' (Red Hat 1.21.9-1.el9)'];

const goTuple: fc.Arbitrary<GoTuple> = fc.oneof(
  fc.record({ minor: fc.integer({ min: 1, max: 40 }), phase: fc.constant(2 as const), kind: fc.constant(''), n: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ minor: fc.integer({ min: 1, max: 40 }), phase: fc.constant(1 as const), kind: fc.constantFrom(...KINDS), n: fc.integer({ min: -1, max: 12 }) }),
  fc.record({ minor: fc.integer({ min: 1, max: 40 }), phase: fc.constant(0 as const), kind: fc.constant(''), n: fc.constant(0) }),
);

/** The version proper (no suffix), as Go writes it. */
function renderGo(t: GoTuple, hash = 'abcdef0123'): string {
  if (t.phase === 0) return t.minor >= 24 ? `go1.${t.minor}-devel_${hash} Tue Mar 5 10:00:00 2024 +0000` : `devel go1.${t.minor}-${hash} Tue Mar 5 10:00:00 2024 +0000`;
  if (t.phase === 1) return `go1.${t.minor}${t.kind}${t.n < 0 ? '' : t.n}`;
  return t.n === 0 && t.minor < 21 ? `go1.${t.minor}` : `go1.${t.minor}.${t.n}`;
}

function tupleOrder(a: GoTuple, b: GoTuple): number {
  return Math.sign(a.minor - b.minor) || Math.sign(a.phase - b.phase) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || Math.sign(a.n - b.n);
}

const goString = fc.tuple(goTuple, fc.constantFrom(...SUFFIXES)).map(([t, s]) => ({ t, s: t.phase === 0 ? renderGo(t) : renderGo(t) + s }));

function asTable(v: ReturnType<typeof parseVersionFor>): TableVersion {
  if ('unversioned' in v) throw new Error('unversioned');
  return v;
}

describe('Go versions: every consumer agrees', () => {
  it('order, equality, line and bounds are the same through every entry point', () => {
    fc.assert(
      fc.property(goString, goString, goString, ({ t: ta, s: a }, { t: tb, s: b }, { s: c }) => {
        const pa = parseGoVersion(a);
        const pb = parseGoVersion(b);
        const order = tupleOrder(ta, tb);
        expect(compareGoVersions(pa, pb)).toBe(order);
        expect(compareTableVersions(asTable(parseVersionFor('std', a)), asTable(parseVersionFor('std', b)))).toBe(order);
        expect(compareTaggedVersions(a, b)).toBe(order);
        expect(goMinorLine(pa)).toBe(`1.${ta.minor}`);
        expect(parseTaggedVersion(a).line).toBe(`1.${ta.minor}`);
        expect(taggedMinorLine(a)).toBe(`go1.${ta.minor}`);
        // Canonical forms are fixed points and name the same version.
        const canon = canonicalGoVersion(pa);
        expect(canonicalGoVersion(parseGoVersion(canon))).toBe(canon);
        expect(compareGoVersions(parseGoVersion(canon), pa)).toBe(0);
        // Bounds: the tracker's withinBounds and offsets/' agree with the order, suffix or not.
        const [lo, hi] = compareGoVersions(pb, parseGoVersion(c)) <= 0 ? [b, c] : [c, b];
        const inside = compareGoVersions(pa, parseGoVersion(lo)) >= 0 && compareGoVersions(pa, parseGoVersion(hi)) <= 0;
        const bounds = { minVersion: canonicalGoVersion(parseGoVersion(lo)), maxVersion: canonicalGoVersion(parseGoVersion(hi)) };
        expect(versionWithinBounds(a, bounds)).toBe(inside);
        expect(withinBounds(a, bounds)).toBe(inside);
      }),
      { numRuns: 1000 },
    );
  });

  it('the reported case: go1.21.0 X:boringcrypto is go1.21.0 everywhere', () => {
    for (const v of ['go1.21.0 X:boringcrypto', 'go1.22.1 X:nocoverageredesign,boringcrypto']) {
      const plain = v.split(' ')[0];
      expect(withinBounds(v, { minVersion: 'go1.21.0', maxVersion: plain })).toBe(true);
      expect(versionWithinBounds(v, { minVersion: plain })).toBe(true);
      expect(compareTaggedVersions(v, plain)).toBe(0);
      expect(parseGoVersion(v).experiments).toEqual(v.split('X:')[1].split(','));
    }
  });

  it('the agent refuses exactly the versions before the register ABI, devel builds included', () => {
    fc.assert(
      fc.property(goString, fc.constantFrom(['amd64', 17], ['arm64', 18]), ({ t, s }, [arch, since]) => {
        const call = () => requireRegisterAbi(s, arch as string);
        if (t.minor < (since as number)) expect(call).toThrow(expect.objectContaining({ code: 'ERR_AGENT_ABI' }));
        else expect(call).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('a golang-1.N-go package version maps to the Go version it packages', () => {
    const debian = fc.record({
      t: fc.oneof(
        fc.record({ minor: fc.integer({ min: 1, max: 40 }), phase: fc.constant(2 as const), kind: fc.constant(''), n: fc.integer({ min: 0, max: 30 }) }),
        fc.record({ minor: fc.integer({ min: 1, max: 40 }), phase: fc.constant(1 as const), kind: fc.constantFrom('beta', 'rc'), n: fc.integer({ min: 0, max: 9 }) }),
      ),
      epoch: fc.constantFrom('', '1:', '2:'),
      revision: fc.constantFrom('-1', '-2', '-1~bpo12+1', '-3+b1', '-1~deb12u1'),
    });
    fc.assert(
      fc.property(debian, ({ t, epoch, revision }) => {
        const upstream = t.phase === 1 ? `1.${t.minor}~${t.kind}${t.n}` : `1.${t.minor}.${t.n}`;
        const mapped = versionFromDebian(`${epoch}${upstream}${revision}`, 'go');
        expect(mapped).toEqual({ kind: 'release', version: canonicalGoVersion(parseGoVersion(renderGo(t))) });
      }),
      { numRuns: 300 },
    );
  });
});

describe('Go versions: Go itself agrees', () => {
  it("go/version's IsValid, Compare and Lang agree on every version both grammars hold", async () => {
    // Go's grammar and ours meet on the version proper: no suffix, no devel build (renderGo never writes a bare `go1.N` from 1.21 on, Go's language version).
    const shared = goTuple.filter((t) => t.phase !== 0);
    const pairs = fc.sample(fc.tuple(shared, shared), { numRuns: 2000, seed: 13 });
    const answers = await goVersionOracle(pairs.map(([a, b]) => [renderGo(a), renderGo(b)]));
    expect(answers).toHaveLength(pairs.length);
    pairs.forEach(([a, b], i) => {
      const [x, y] = [renderGo(a), renderGo(b)];
      expect(answers[i], `${x} ${y}`).toEqual({ validX: true, validY: true, compare: compareGoVersions(parseGoVersion(x), parseGoVersion(y)), lang: `go${goMinorLine(parseGoVersion(x))}` });
    });
  });

  const invalid = ['', 'go', 'banana', 'go1.21.x', 'go1.021.3', 'go01.21', 'go1.21.03', 'go1.21RC1', 'go1.21rc01', 'go1.21.0.1', 'go1.21rc1x', 'go.21', 'go1..2', 'devel', 'go1.21-devel', 'go1.21.5-foo'];
  it.each(invalid.filter((s) => s !== 'devel'))('refuses %j with ERR_BAD_GO_VERSION, quoting it', (raw) => {
    expect(() => parseGoVersion(raw)).toThrow(expect.objectContaining({ code: 'ERR_BAD_GO_VERSION', message: expect.stringContaining(JSON.stringify(raw)) }));
    expect(() => parseTaggedVersion(raw)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_BAD_(GO|MODULE)_VERSION$/) }));
    expect(versionWithinBounds(raw, {})).toBe(false);
  });

  it('a module version is not a Go version', () => {
    expect(() => parseGoVersion('v1.21.5')).toThrow(expect.objectContaining({ code: 'ERR_BAD_GO_VERSION' }));
  });

  it('go/version refuses them too, except where our grammar is stricter on purpose', async () => {
    const stricter = new Set(['go1.21-devel', 'go1.21.5-foo']); // Go reads text after `-`/space differently across releases
    const cases = invalid.filter((s) => s !== 'devel' && !stricter.has(s) && s !== '');
    const answers = await goVersionOracle(cases.map((s) => [s, 'go1.21.0']));
    cases.forEach((s, i) => expect(answers[i].validX, s).toBe(false));
  });
});

/** A module version as a tuple, with its place in semver order. */
const release = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 20 }));
const stamp = fc.tuple(fc.integer({ min: 2018, max: 2030 }), fc.integer({ min: 10, max: 12 }), fc.integer({ min: 10, max: 28 }), fc.integer({ min: 100000, max: 235959 })).map(([y, m, d, t]) => `${y}${m}${d}${t}`);
const rev = fc.stringMatching(/^[0-9a-f]{12}$/);
const moduleString = fc.oneof(
  release.map(([a, b, c]) => ({ s: `v${a}.${b}.${c}`, pseudo: false, pre: false })),
  fc.tuple(release, fc.constantFrom('rc.1', 'beta.2', 'alpha', 'pre.10')).map(([[a, b, c], p]) => ({ s: `v${a}.${b}.${c}-${p}`, pseudo: false, pre: true })),
  fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 9 })).map(([a, b]) => ({ s: `v${a}.${b}.0+incompatible`, pseudo: false, pre: false })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), stamp, rev).map(([a, t, r]) => ({ s: `v${a}.0.0-${t}-${r}`, pseudo: true, pre: true })),
  fc.tuple(release, stamp, rev).map(([[a, b, c], t, r]) => ({ s: `v${a}.${b}.${c + 1}-0.${t}-${r}`, pseudo: true, pre: true })),
  fc.tuple(release, stamp, rev).map(([[a, b, c], t, r]) => ({ s: `v${a}.${b}.${c}-pre.0.${t}-${r}`, pseudo: true, pre: true })),
);

describe('module versions: every consumer agrees', () => {
  it('parse, order, line and bounds agree through every entry point', () => {
    fc.assert(
      fc.property(moduleString, moduleString, ({ s: a, pseudo, pre }, { s: b }) => {
        const pa = parseModuleVersion(a);
        const pb = parseModuleVersion(b);
        if (pa.kind !== 'semver' || pb.kind !== 'semver') throw new Error('not semver');
        expect(pa.canonical).toBe(a);
        expect(pa.pseudo).toBe(pseudo);
        expect(pa.prerelease).toBe(pre);
        const order = compareModuleVersions(pa.parsed, pb.parsed);
        expect(compareTableVersions(asTable(parseVersionFor('m', a)), asTable(parseVersionFor('m', b)))).toBe(order);
        expect(compareTaggedVersions(a, b)).toBe(order);
        expect(taggedMinorLine(a)).toBe(`v${pa.line}`);
        expect(versionWithinBounds(a, { minVersion: b })).toBe(order >= 0);
        expect(withinBounds(a, { maxVersion: b })).toBe(order <= 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('a pseudo-version sorts between its base and the next release', () => {
    fc.assert(
      fc.property(release, stamp, rev, ([a, b, c], t, r) => {
        const pseudo = parseTaggedVersion(`v${a}.${b}.${c + 1}-0.${t}-${r}`);
        expect(compareTableVersions(parseTaggedVersion(`v${a}.${b}.${c}`), pseudo)).toBe(-1);
        expect(compareTableVersions(pseudo, parseTaggedVersion(`v${a}.${b}.${c + 1}`))).toBe(-1);
      }),
    );
  });

  it('a golang-*-dev package version maps to the module version it packages', () => {
    fc.assert(
      fc.property(release, fc.constantFrom('', '1:'), fc.constantFrom('', '+dfsg', '+ds1', '+repack'), fc.constantFrom('-1', '-2.1', '-7~bpo12+1'), ([a, b, c], epoch, repack, revision) => {
        expect(versionFromDebian(`${epoch}${a}.${b}.${c}${repack}${revision}`, 'module')).toEqual({ kind: 'release', version: `v${a}.${b}.${c}` });
      }),
      { numRuns: 300 },
    );
  });

  it.each(['banana', 'v1.2', 'v1', 'vv1.2.3', 'v1.2.3.4', 'latest', 'v01.2.3', 'v1.02.3', 'v1.2.3-01', 'v1.2.3-', 'v1.2.3+', 'go1.21.0x'])('refuses %j with a clear error', (raw) => {
    expect(() => parseTaggedVersion(raw)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_BAD_(GO|MODULE)_VERSION$/), message: expect.stringContaining(JSON.stringify(raw)) }));
    expect(versionWithinBounds(raw, {})).toBe(false);
  });
});
