// `offsets` run as a person runs it: bin/offsets.cjs executed through its `#!/bin/sh`
// line, which drops NODE_EXTRA_CA_CERTS and sizes V8's thread pool before Node starts
// (the comment in bin/offsets.cjs says why). Node itself is the oracle for the
// certificates: given a file it cannot load, it warns on stderr at every start.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandResult, repoRoot, requireFreshBuild, type CliResult } from '../support/built-cli.js';

const run = promisify(execFile);
const launcher = join(repoRoot, 'bin', 'offsets.cjs');
const CA_WARNING = /Ignoring extra certs from/;
// A bundle Node cannot load: Node 20 warns as it starts, when it reads NODE_EXTRA_CA_CERTS (a
// Node that read it later would fail the control below, and the launcher's line should be revisited).
// The launcher execs the `node` of PATH: this test's own comes first, so that both runs use one Node.
const env = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/go-offsets-ca.pem', PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
const LOOKUP = ['lookup', 'net/http.Request.ctx', '--go', '1.22.12'];
const withoutCaWarning = (stderr: string): string => stderr.replace(/^.*Ignoring extra certs.*\n/m, '');

let dir: string;
beforeAll(async () => {
  requireFreshBuild('dist/bundle/offsets.js', ['cli/offsets.ts', 'common/launch.ts']);
  dir = await mkdtemp(join(tmpdir(), 'go-offsets-launcher-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The launcher `file` run as a command, or by Node (`node`: the control). */
function outcome(file: string, args: string[], opts: { node?: boolean } = {}): Promise<CliResult> {
  return opts.node ? commandResult(process.execPath, [file, ...args], { env }) : commandResult(file, args, { env });
}

describe('bin/offsets.cjs run as a command', () => {
  it('starts Node without NODE_EXTRA_CA_CERTS, where `node bin/offsets.cjs` reads it', async () => {
    const direct = await outcome(launcher, LOOKUP);
    const throughNode = await outcome(launcher, LOOKUP, { node: true });
    // The control: the same launcher run by Node, which reads the variable and warns.
    expect(throughNode.stderr).toMatch(CA_WARNING);
    expect(direct.stderr).not.toMatch(CA_WARNING);
    expect(direct).toEqual({ ...throughNode, stderr: direct.stderr });
    expect(direct.stdout).toBe('net/http.Request.ctx go1.22.12 amd64: 232 (scanned)\n');
  });

  it('passes every argument on unchanged, and the exit code back', async () => {
    // Spaces, quotes, a shell's special characters and an empty argument reach the CLI as they were
    // given: it names each as the field the table lacks.
    for (const field of [`a b"c'$HOME*`, '']) {
      const direct = await outcome(launcher, ['lookup', field, '--go', '1.22.12']);
      const throughNode = await outcome(launcher, ['lookup', field, '--go', '1.22.12'], { node: true });
      expect(direct.stderr).toContain(`no field ${JSON.stringify(field)}`);
      expect(direct.stderr).toBe(withoutCaWarning(throughNode.stderr));
      expect(direct.code).toBe(throughNode.code);
      expect(direct.code).not.toBe(0);
    }
  });

  it('works through a symbolic link, as npm links it into node_modules/.bin', async () => {
    const link = join(dir, 'offsets');
    await symlink(launcher, link);
    const r = await outcome(link, LOOKUP);
    expect(r).toEqual({ code: 0, stdout: 'net/http.Request.ctx go1.22.12 amd64: 232 (scanned)\n', stderr: '' });
  });

  it('hands Node --v8-pool-size=1, the script and the arguments, and no NODE_EXTRA_CA_CERTS', async () => {
    // What the shell line execs, seen by a `node` found first on PATH that prints what it was given.
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const fake = join(bin, 'node');
    await writeFile(fake, '#!/bin/sh\nprintf "%s\\n" "$@" "CA=${NODE_EXTRA_CA_CERTS-unset}"\n', { mode: 0o755 });
    const { stdout } = await run(launcher, ['lookup', 'x y', ''], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(stdout.split('\n')).toEqual(['--v8-pool-size=1', launcher, 'lookup', 'x y', '', 'CA=unset', '']);
  });
});

describe('the offsets bundle', () => {
  it('loads nothing that speaks TLS, so dropping NODE_EXTRA_CA_CERTS changes no answer', async () => {
    const bundle = await readFile(join(repoRoot, 'dist', 'bundle', 'offsets.js'), 'utf8');
    // require("…"), import("…") and the createRequire()'d require2("…") alike.
    const loaded = new Set([...bundle.matchAll(/\b(?:require\w*|import)\("([^"]+)"\)/g)].map((m) => m[1]));
    expect(loaded.size).toBeGreaterThan(3);
    for (const module of loaded) expect(module).not.toMatch(/^(node:)?(tls|https|http2|net)$|^undici|^@opentelemetry\//);
    expect(bundle).not.toMatch(/\bfetch\(/);
  });
});
