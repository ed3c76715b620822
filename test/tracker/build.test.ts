// Module fields end to end through a GOPROXY on 127.0.0.1 serving fixture modules,
// a module version that does not compile, and the checks on real probe layouts.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableObservations } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import { buildProbe } from '../../tracker/build.js';
import { checkReading, checkStruct, checkTarget } from '../../tracker/checks.js';
import { parseConfig } from '../../tracker/config.js';
import { generateProbe } from '../../tracker/probe/generate.js';
import { readProbe } from '../../tracker/read.js';
import { runTracker, type RunResult } from '../../tracker/run.js';
import { fixtureModulesDir, startGoProxy, type GoProxyServer } from '../support/servers/index.js';
import type { Toolchain } from '../support/toolchains.js';
import { matrix, tempDir } from './tracker-helpers.js';

let proxy: GoProxyServer;
let dir: string;
let newest: Toolchain;
let result: RunResult;

beforeAll(async () => {
  const tcs = await matrix();
  newest = tcs[tcs.length - 1];
  dir = await tempDir('modules');
  // The fixture modules plus one whose v1.1.0 does not compile.
  const modules = join(dir, 'modules');
  await cp(fixtureModulesDir, modules, { recursive: true });
  for (const [v, body] of [['v1.0.0', 'type Box struct {\n\tA int64\n\tB string\n}\n'], ['v1.1.0', 'type Box struct {\n\tA int64\n\tB string\n}\n\nfunc broken() { this is not Go }\n']]) {
    const d = join(modules, 'example.test', 'broken', '@v', v);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'go.mod'), 'module example.test/broken\n\ngo 1.15\n');
    await writeFile(join(d, 'box.go'), `package broken\n\n${body}`);
  }
  proxy = await startGoProxy({ modulesDir: modules });
  const config = parseConfig({
    modules: [
      { module: 'example.test/layout', packages: [{ path: 'example.test/layout', structs: [{ name: 'Conn', fields: ['ID', 'Flags', 'Name', 'Open'] }] }] },
      { module: 'example.test/broken', packages: [{ path: 'example.test/broken', structs: [{ name: 'Box', fields: ['A', 'B'] }] }] },
    ],
  });
  result = await runTracker({ config, sources: [`dir:${newest.goroot}`], archs: ['amd64'], out: join(dir, 'offsets.json'), goproxy: proxy.url, force: true });
});

afterAll(async () => {
  await proxy?.close();
});

const value = (obs: Observation[], module: string, version: string, field: string) => {
  const o = obs.find((x) => x.module === module && x.version === version && x.field === field);
  return o === undefined ? undefined : o.result.status === 'ok' ? o.result.offset : o.result.status;
};

describe('module probes through a GOPROXY', () => {
  it('measures every version of a module, with the offsets the fixture documents', () => {
    const obs = tableObservations(result.table);
    const L = 'example.test/layout';
    const f = (v: string, field: string) => value(obs, L, v, `example.test/layout.Conn.${field}`);
    expect([f('v1.0.0', 'ID'), f('v1.0.0', 'Name'), f('v1.0.0', 'Open'), f('v1.0.0', 'Flags')]).toEqual([0, 8, 24, 'absent']);
    expect([f('v1.0.1', 'Flags'), f('v1.0.1', 'Name'), f('v1.0.1', 'Open')]).toEqual([8, 16, 32]);
    expect([f('v1.1.0', 'Flags'), f('v1.1.0', 'Name'), f('v1.1.0', 'Open')]).toEqual([8, 16, 32]);
    expect([f('v1.2.0', 'Name'), f('v1.2.0', 'Open')]).toEqual([16, 'absent']);
    expect([f('v1.3.0', 'ID'), f('v1.3.0', 'Flags'), f('v1.3.0', 'Name')]).toEqual([0, 4, 8]);
    expect(f('v1.4.0-rc.1', 'ID')).toBeUndefined();
  });

  it('a module version that does not compile is recorded as failed; the other results are kept', () => {
    const obs = tableObservations(result.table);
    expect(value(obs, 'example.test/broken', 'v1.1.0', 'example.test/broken.Box.A')).toBe('failed');
    expect(value(obs, 'example.test/broken', 'v1.0.0', 'example.test/broken.Box.B')).toBe(8);
    expect(result.exitCode).toBe(2);
    expect(result.summary.failures.some((f) => f.startsWith('example.test/broken@v1.1.0 amd64'))).toBe(true);
  });

  it('flags an offset that changes between patch releases of one minor line', () => {
    const flagged = result.summary.patchChanges.map((c) => `${c.field} ${c.from.version}->${c.to.version}`);
    expect(flagged).toContain('example.test/layout.Conn.Name v1.0.0->v1.0.1');
    expect(flagged).not.toContain('example.test/layout.Conn.ID v1.0.0->v1.0.1');
  });
});

describe('checks on real probe layouts', () => {
  it('reject an out-of-struct offset, overlapping fields and the wrong arch', async () => {
    const probe = generateProbe({ imports: ['net/http'], types: [{ pkg: 'net/http', type: 'Request' }] });
    const binary = await buildProbe({ toolchain: { version: newest.version, goroot: newest.goroot }, arch: 'arm64', probe, workDir: join(dir, 'checks') });
    const reading = await readProbe(binary, ['net/http.Request.ctx']);
    expect(checkReading(reading, 'arm64')).toEqual([]);
    expect(checkTarget(reading, 'amd64')).toEqual([expect.stringContaining('ELF machine is arm64, expected amd64')]);

    const request = reading.structs.get('net/http.Request')!;
    expect(checkStruct(request)).toEqual([]);
    const ctx = request.members.find((m) => m.name === 'ctx')!;
    const shrunk = { ...request, size: ctx.offset! };
    expect(checkStruct(shrunk).join('\n')).toContain('net/http.Request.ctx');
    expect(checkStruct(shrunk).join('\n')).toContain('lies outside the struct');
    const overlapping = { ...request, members: request.members.map((m) => (m.name === 'ctx' ? { ...m, offset: m.offset! - 4 } : m)) };
    expect(checkStruct(overlapping).join('\n')).toContain('overlaps');
  });
});
