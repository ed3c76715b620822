import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureToolexecDir, generateProbe, injectionSource, writeFiles } from '../../tracker/probe/generate.js';
import { buildWithFewestInjections, structsMissingFromDwarf } from '../../tracker/probe/lazy.js';
import { GoBinary } from '../../gobin/binary.js';
import { goEnv, listGoFiles, runGo } from '../../tracker/build.js';
import { matrix, tempDir } from './tracker-helpers.js';

describe('probe generator', () => {
  const spec = { imports: ['net/http', 'bufio', 'net/http'], types: [{ pkg: 'net/http', type: 'response' }, { pkg: 'runtime', type: 'g' }, { pkg: 'net/http', type: 'response' }] };

  it('imports each package once and injects one file per type into its package', () => {
    const p = generateProbe(spec);
    expect(p.main['main.go']).toContain('import (\n\t_ "bufio"\n\t_ "net/http"\n)');
    expect(Object.keys(p.toolexec).sort()).toEqual(['inject/net,http/response.go.in', 'inject/runtime/g.go.in', 'toolexec.sh']);
    expect(p.toolexec['inject/net,http/response.go.in']).toBe(injectionSource('response'));
    expect(injectionSource('response')).toContain('func init() { goOffsetsProbe_response = new(response) }');
    expect(p.main['go.mod']).not.toContain('require');
  });

  it('is deterministic, and its id changes with the injected types', () => {
    expect(generateProbe(spec)).toEqual(generateProbe({ ...spec, types: [...spec.types].reverse() }));
    expect(generateProbe(spec).probeId).not.toBe(generateProbe({ ...spec, types: [{ pkg: 'runtime', type: 'g' }] }).probeId);
  });

  it('keys each injected package on its own injections, and nothing else', () => {
    const both = generateProbe(spec);
    const onlyG = generateProbe({ ...spec, types: [{ pkg: 'runtime', type: 'g' }] });
    expect(both.gcflags.map((f) => f.replace(/=[0-9a-f]{16}$/, '=H')).sort()).toEqual(['-gcflags=net/http=-gooffsets-inject=H', '-gcflags=runtime=-gooffsets-inject=H']);
    // runtime has the same injections in both probes, so the same key; the wrapper is the same script.
    expect(onlyG.gcflags).toEqual(both.gcflags.filter((f) => f.startsWith('-gcflags=runtime=')));
    expect(onlyG.toolexec['toolexec.sh']).toBe(both.toolexec['toolexec.sh']);
    // -V=full goes to the compiler untouched: a package without injections is keyed as in a plain build;
    // the wrapper's own hash is in every injected package's key instead.
    expect(both.toolexec['toolexec.sh']).not.toMatch(/X:gooffsets/);
    expect(both.toolexec['toolexec.sh']).toContain('[ "$a" = "-V=full" ] && exec "$tool" "$@"');
  });

  it('a second probe with other injections compiles only the injected package and the probe: std comes from the build cache', async () => {
    const tcs = await matrix();
    const tc = { version: tcs[tcs.length - 1].version, goroot: tcs[tcs.length - 1].goroot };
    const root = await tempDir('probe-cache');
    const compiled: string[][] = [];
    for (const type of ['response', 'Request']) {
      // A type no Go version has (the wrapper drops its file) makes this run's injections new to the cache.
      const fresh = `NoSuchType${randomBytes(6).toString('hex')}`;
      const probe = generateProbe({ imports: ['net/http'], types: [{ pkg: 'net/http', type }, { pkg: 'net/http', type: fresh }] });
      const dir = join(root, type);
      await writeFiles(dir, probe.main);
      const wrapper = join(await ensureToolexecDir(join(root, 'toolexec'), probe), 'toolexec.sh');
      // -v prints each package the go command compiles, and none that it takes from its cache.
      const { stderr } = await runGo(tc, ['build', '-v', '-trimpath', '-toolexec', wrapper, ...probe.gcflags, '-o', join(dir, 'probe'), '.'], { cwd: dir, env: goEnv(tc, 'amd64'), timeoutMs: 900_000 });
      compiled.push(stderr.split('\n').filter(Boolean));
      // The injected type is in the probe's DWARF.
      const dwarf = await (await GoBinary.open(join(dir, 'probe'))).dwarf();
      expect(dwarf!.field(`net/http.${type}.${type === 'response' ? 'conn' : 'ctx'}`).offset, type).toEqual(expect.any(Number));
    }
    expect(compiled[0]).toContain('net/http');
    expect(compiled[1].sort()).toEqual(['gooffsets.invalid/probe', 'net/http']);
  });

  it('injects only what a bare build lacks and the package declares: runtime.g is in every DWARF, net/http.response is not without injection, runtime.hmap is gone since Go 1.24', async () => {
    const tcs = await matrix();
    const tc = { version: tcs[tcs.length - 1].version, goroot: tcs[tcs.length - 1].goroot };
    const root = await tempDir('probe-lazy');
    const injected: string[][] = [];
    const types = [{ pkg: 'runtime', type: 'g' }, { pkg: 'runtime', type: 'hmap' }, { pkg: 'net/http', type: 'response' }, { pkg: 'net/http', type: 'Request' }];
    const binary = await buildWithFewestInjections({ imports: ['net/http'], types }, async (probe) => {
      injected.push(Object.keys(probe.toolexec).filter((f) => f.startsWith('inject/')));
      const dir = join(root, String(injected.length));
      await writeFiles(dir, probe.main);
      const wrapper = join(await ensureToolexecDir(join(root, 'toolexec'), probe), 'toolexec.sh');
      await runGo(tc, ['build', '-trimpath', '-toolexec', wrapper, ...probe.gcflags, '-o', join(dir, 'probe'), '.'], { cwd: dir, env: goEnv(tc, 'amd64'), timeoutMs: 900_000 });
      return join(dir, 'probe');
    }, (pkgs, cwd) => listGoFiles(tc, pkgs, { cwd, env: goEnv(tc, 'amd64') }));
    // First bare, then with the one struct the bare build's DWARF lacks and net/http declares.
    expect(injected).toEqual([[], ['inject/net,http/response.go.in']]);
    expect(await structsMissingFromDwarf(binary, types)).toEqual([{ pkg: 'runtime', type: 'hmap' }]);
  });

  it('requires the module version for module probes', () => {
    const p = generateProbe({ module: 'example.test/layout', moduleVersion: 'v1.2.0', imports: ['example.test/layout'], types: [{ pkg: 'example.test/layout', type: 'Conn' }] });
    expect(p.main['go.mod']).toContain('require example.test/layout v1.2.0');
  });

  it('rejects a type name that is not a Go identifier', () => {
    expect(() => injectionSource('a b')).toThrow('not a Go identifier');
  });

  it('writes an executable, syntactically valid toolexec script at a stable path', async () => {
    const root = await tempDir('probe');
    const p = generateProbe(spec);
    const dir = await ensureToolexecDir(root, p);
    expect(dir).toBe(join(root, p.probeId));
    expect(await ensureToolexecDir(root, p)).toBe(dir);
    execFileSync('sh', ['-n', join(dir, 'toolexec.sh')]);
    expect(await readFile(join(dir, 'inject', 'runtime', 'g.go.in'), 'utf8')).toContain('package __PACKAGE__');
  });
});
