import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureToolexecDir, generateProbe, injectionSource } from '../../tracker/probe/generate.js';
import { tempDir } from './tracker-helpers.js';

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
    expect(generateProbe(spec).toolexec['toolexec.sh']).toContain(`X:gooffsets-probe-${generateProbe(spec).probeId}`);
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
