// The Debian archive as a module source: unit checks of the version mapping,
// naming convention and Depends parsing, and the real thing — every version of
// the default config's modules that the archive offers, built from the
// archive's own .debs in GOPATH mode, with every offset checked against the
// probe's DWARF as Go's debug/dwarf reads it (test/tracker/debian-modules-oracle).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { debianMirror } from '../../debian/mirror.js';
import { newIndexCache } from '../../debian/packages.js';
import { fetchPackageIndex } from '../../debian/packages.js';
import { buildTable, lookup } from '../../offsets/index.js';
import { loadConfig } from '../../tracker/config.js';
import { dependsClosure, parseDepends, SuitePackages } from '../../tracker/debian-modules/depends.js';
import { conventionalPackageName, candidatePackageNames } from '../../tracker/debian-modules/naming.js';
import { debianModuleObservations, type DebianModuleResult } from '../../tracker/debian-modules/observe.js';
import { goVersionFromDebian } from '../../tracker/debian-modules/version.js';
import { debianModulesOracle } from './debian-modules-oracle/oracle.js';
import { matrixToolchains, MIRROR_ENV } from '../support/toolchains.js';

const run = promisify(execFile);
const SUITES = ['bullseye', 'bookworm', 'bookworm-backports', 'trixie', 'sid'];

describe('Debian version -> Go module version', () => {
  it('takes the upstream part, without epoch, revision or repack suffix', () => {
    expect(goVersionFromDebian('1:0.62.0-1')).toEqual({ kind: 'release', version: 'v0.62.0' });
    expect(goVersionFromDebian('1:0.7.0+dfsg-1')).toEqual({ kind: 'release', version: 'v0.7.0' });
    expect(goVersionFromDebian('0.4.51+ds1-1')).toEqual({ kind: 'release', version: 'v0.4.51' });
    expect(goVersionFromDebian('0.2.1-1.1')).toEqual({ kind: 'release', version: 'v0.2.1' });
    expect(goVersionFromDebian('1.64.0-7')).toEqual({ kind: 'release', version: 'v1.64.0' });
    expect(goVersionFromDebian('1.2~rc1-1')).toEqual({ kind: 'release', version: 'v1.2.0-rc.1' });
  });
  it('never turns a git snapshot into a release', () => {
    const s = goVersionFromDebian('1:0.0+git20210119.5f4716e+dfsg-4');
    expect(s).toMatchObject({ kind: 'snapshot', date: '20210119', commit: '5f4716e' });
    expect(goVersionFromDebian('0.0~git20260414.afd174a-2').kind).toBe('snapshot');
  });
  it('rejects what is no version with a typed error', () => {
    expect(() => goVersionFromDebian('banana-1')).toThrow(expect.objectContaining({ code: 'ERR_DEBIAN_MODULE_VERSION' }));
  });
});

describe('package naming convention', () => {
  it('maps import paths the way the Debian Go team names packages', () => {
    expect(conventionalPackageName('google.golang.org/grpc')).toBe('golang-google-grpc-dev');
    expect(conventionalPackageName('golang.org/x/net')).toBe('golang-golang-x-net-dev');
    expect(conventionalPackageName('github.com/segmentio/kafka-go')).toBe('golang-github-segmentio-kafka-go-dev');
    expect(conventionalPackageName('go.opentelemetry.io/otel')).toBe('golang-opentelemetry-otel-dev');
    expect(conventionalPackageName('github.com/cespare/xxhash/v2')).toBe('golang-github-cespare-xxhash-v2-dev');
    expect(candidatePackageNames('google.golang.org/genproto/googleapis/rpc')).toEqual([
      'golang-google-genproto-googleapis-rpc-dev',
      'golang-google-genproto-googleapis-dev',
      'golang-google-genproto-dev',
      'golang-google-dev',
    ]);
  });
});

describe('Depends', () => {
  it('parses alternatives, constraints, arch qualifiers', () => {
    expect(parseDepends('a (>= 1.0), b | c:any, d [amd64]', 'x')).toEqual([[{ name: 'a', constraint: '>= 1.0' }], [{ name: 'b' }, { name: 'c' }], [{ name: 'd' }]]);
    expect(() => parseDepends('a, (b)', 'pkg X')).toThrow(expect.objectContaining({ code: 'ERR_DEBIAN_MODULE_DEPENDS', message: expect.stringContaining('pkg X') }));
  });
  it('closure takes the first alternative and resolves Provides', () => {
    const p = (name: string, depends?: string, provides?: string) => ({ package: name, version: '1', architecture: 'all', filename: name, size: 1, sha256: '0'.repeat(64), depends, provides });
    const pkgs = new SuitePackages('t', [p('root', 'a | b, virt'), p('a', 'c'), p('b'), p('c'), p('real', undefined, 'virt')]);
    expect(dependsClosure(pkgs, pkgs.byName.get('root')!).map((x) => x.package).sort()).toEqual(['a', 'c', 'real', 'root']);
  });
});

describe('default config from the Debian archive', () => {
  let result: DebianModuleResult;
  let oracleBin: string;
  let mirror: string;
  // The suites' Packages indexes, read once for the file's three runs.
  const indexes = newIndexCache();
  beforeAll(async () => {
    mirror = await debianMirror({ override: process.env[MIRROR_ENV] });
    result = await debianModuleObservations({ config: await loadConfig(), mirror, suites: SUITES, indexes });
    oracleBin = await debianModulesOracle();
  });

  it('covers every release version of the modules that the archive offers, each from its suite', async () => {
    // Independent of the code under test: the package names are spelled out, versions read from the raw indexes.
    const packages: Record<string, string> = {
      'google.golang.org/grpc': 'golang-google-grpc-dev',
      'golang.org/x/net': 'golang-golang-x-net-dev',
      'github.com/segmentio/kafka-go': 'golang-github-segmentio-kafka-go-dev',
      'go.opentelemetry.io/otel': 'golang-opentelemetry-otel-dev',
    };
    const expected = new Set<string>();
    for (const suite of SUITES) {
      const idx = await fetchPackageIndex({ mirror, suite });
      for (const [module, name] of Object.entries(packages)) {
        const stanza = idx.packages.find((p) => p.package === name);
        if (!stanza || /git\d{8}/.test(stanza.version)) continue;
        const upstream = stanza.version.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/\+(dfsg|ds)\d*$/, '');
        expected.add(`${module}@v${upstream} debian:${suite}`);
      }
    }
    const got = new Set(result.observations.filter((o) => o.module in packages && o.result.status === 'ok').map((o) => `${o.module}@${o.version} ${o.source}`));
    expect([...got].sort()).toEqual([...expected].sort());
    expect(expected.size).toBeGreaterThanOrEqual(12);
  });

  it('builds every job, and no tracked field of a built library fails', () => {
    expect(result.builds.filter((b) => b.error).map((b) => `${b.suite} ${b.package}: ${b.error}`)).toEqual([]);
    expect(result.observations.filter((o) => o.result.status === 'failed')).toEqual([]);
  });

  it('every offset equals the DWARF of its probe, as Go debug/dwarf reads it', async () => {
    let checked = 0;
    for (const b of result.builds) {
      for (const [arch, binary] of Object.entries(b.binaries)) {
        const mine = result.observations.filter((o) => o.arch === arch && o.source === `debian:${b.suite}` && b.recorded[o.field] === `${o.module}@${o.version}`);
        expect(mine.length).toBeGreaterThan(0);
        const { stdout } = await run(oracleBin, [binary!, ...mine.map((o) => o.field)], { maxBuffer: 1 << 24 });
        const truth = JSON.parse(stdout) as Record<string, number | null>;
        for (const o of mine) {
          const want = truth[o.field] === null ? { status: 'absent' } : { status: 'ok', offset: truth[o.field] };
          expect({ where: `${b.suite} ${b.package} ${arch} ${o.field}`, ...o.result }).toEqual({ where: `${b.suite} ${b.package} ${arch} ${o.field}`, ...want });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('never mixes two packages that install the same import path', () => {
    for (const b of result.builds) {
      const names = b.chosen.map((c) => c.package);
      expect(names.includes('golang-github-golang-protobuf-1-3-dev') && names.includes('golang-github-golang-protobuf-1-5-dev'), `${b.suite} ${b.package}: ${names.join(', ')}`).toBe(false);
    }
  });

  it('keys genproto fields by genproto, never by grpc, and records snapshots nowhere', () => {
    const genproto = result.observations.filter((o) => o.field.startsWith('google.golang.org/genproto/'));
    expect(genproto.every((o) => o.module === 'google.golang.org/genproto/googleapis/rpc')).toBe(true);
    // Debian ships genproto only as git snapshots: skipped with a note, never a release.
    expect(genproto).toEqual([]);
    expect(result.notes.some((n) => n.includes('genproto') && n.includes('git snapshot'))).toBe(true);
    expect(result.observations.some((o) => o.version.startsWith('v0.0.0'))).toBe(false);
  });

  it('the table built from them answers lookups by the owning module version', () => {
    const table = buildTable(result.observations);
    const r = lookup(table, { field: 'google.golang.org/grpc/internal/transport.Stream.id', moduleVersion: 'v1.81.1', arch: 'amd64', policy: 'exact' });
    const obs = result.observations.find((o) => o.module === 'google.golang.org/grpc' && o.version === 'v1.81.1' && o.arch === 'amd64' && o.field === 'google.golang.org/grpc/internal/transport.Stream.id');
    expect(obs?.result.status).toBe('ok');
    expect(r).toMatchObject({ status: 'scanned', offset: (obs!.result as { offset: number }).offset });
    expect(table.modules['google.golang.org/grpc'].versions.find((v) => v[0] === 'v1.81.1')).toEqual(['v1.81.1', 'debian:sid']);
  });

  it('a cached rerun downloads no .deb and rebuilds nothing', async () => {
    const again = await debianModuleObservations({ config: await loadConfig(), mirror, suites: SUITES, indexes });
    expect(again.fetch.downloaded).toBe(0);
    expect(again.builds.every((b) => b.fromCache)).toBe(true);
    expect(again.observations).toEqual(result.observations);
  });

  it('an unknown package override is a typed error naming it', async () => {
    const config = await loadConfig();
    await expect(debianModuleObservations({ config, mirror, suites: ['sid'], modules: ['golang.org/x/net'], packages: { 'golang.org/x/net': 'golang-no-such-package-dev' }, indexes })).rejects.toMatchObject({
      code: 'ERR_DEBIAN_MODULE_PACKAGE',
      message: expect.stringContaining('golang-no-such-package-dev'),
    });
  });
});
