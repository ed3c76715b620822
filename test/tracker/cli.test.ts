// The CLI as users run it: exit codes 0 / 2 / 1, messages naming what is wrong, --summary Markdown, merge,
// and what `run` prints: one row per source (available or why not, versions listed, jobs by outcome) and
// one line of changes, or the same as JSON with --json. Unreachable sources are real 127.0.0.1 ports that
// refuse connections; the rows name no host.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureStdio } from '../../common/stdio.js';
import { main } from '../../tracker/cli.js';
import { defaultConfigPath } from '../../tracker/config.js';
import { unreachableUrl } from '../support/servers/index.js';
import type { Toolchain } from '../support/toolchains.js';
import { matrix, stdConfig, tempDir } from './tracker-helpers.js';

let dir: string;
let configPath: string;
let stderr: string;
let stdout: string;

beforeAll(async () => {
  dir = await tempDir('cli');
  configPath = (await stdConfig(dir)).path;
});

// The CLIs' own output (errors included) goes straight to the descriptors through common/stdio:
// captured here (captureStdio), with what still goes through process.stdout and process.stderr.
async function run(...argv: string[]): Promise<number> {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const release = captureStdio((fd, text) => (fd === 1 ? (stdout += text) : (stderr += text)));
  try {
    return await main(argv);
  } finally {
    release();
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('offsets-tracker CLI', () => {
  it('exits 1 and points at the bad entry of an invalid config, writing nothing', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ modules: [{ module: 'std', packages: [{ path: 'net/http', structs: [{ name: 'Request', fields: ['ctx', 7] }] }] }] }));
    const out = join(dir, 'never.json');
    expect(await run('run', '--config', bad, '--source', 'dir:/nonexistent', '--out', out)).toBe(1);
    expect(stderr).toContain('ERR_CONFIG');
    expect(stderr).toContain('/modules/0/packages/0/structs/0/fields/1');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 1 on bad flags', async () => {
    expect(await run('run', '--arch', 'mips')).toBe(1);
    expect(stderr).toBe('offsets-tracker: ERR_BAD_ARCH: --arch: unknown arch "mips" (expected amd64, arm64)\n');
    expect(await run('run', '--config', configPath, '--shard', '3/2')).toBe(1);
    expect(stderr).toContain('ERR_BAD_SHARD');
    expect(await run('run', '--concurrency', '0')).toBe(1);
    expect(stderr).toBe('offsets-tracker: ERR_BAD_NUMBER: --concurrency: expected a positive integer, got "0"\n');
    expect(await run('run', '--timeout', '1.5')).toBe(1);
    expect(stderr).toContain('ERR_BAD_NUMBER: --timeout');
    expect(await run('run', '--module-source', 'ftp')).toBe(1);
    expect(stderr).toContain('ERR_MODULE_SOURCE_SPEC');
    // commander's own usage errors: one line, stable code, no help dump.
    expect(await run('merge', '--out', join(dir, 'm.json'))).toBe(1);
    expect(stderr).toMatch(/^offsets-tracker: ERR_USAGE: missing required argument 'partial'.*\n$/);
    expect(await run('run', '--no-such-flag')).toBe(1);
    expect(stderr.split('\n').filter(Boolean)).toEqual([expect.stringContaining('offsets-tracker: ERR_USAGE: unknown option')]);
    expect(await run('run', '--config', configPath, '--source', 'ftp:nowhere', '--out', join(dir, 'x.json'))).toBe(1);
    expect(stderr).toContain('ERR_SOURCE_SPEC');
  });

  it('exits 2 when a job fails, and still writes the table and the summary', async () => {
    const goroot = join(dir, 'broken-go');
    await mkdir(join(goroot, 'bin'), { recursive: true });
    await writeFile(join(goroot, 'VERSION'), 'go1.17.13\n');
    await writeFile(join(goroot, 'bin', 'go'), '#!/bin/sh\nexit 1\n');
    await chmod(join(goroot, 'bin', 'go'), 0o755);
    const out = join(dir, 'failed.json');
    const summary = join(dir, 'failed.md');
    expect(await run('run', '--config', configPath, '--source', `dir:${goroot}`, '--arch', 'amd64', '--out', out, '--summary', summary)).toBe(2);
    expect(await readFile(out, 'utf8')).toContain('"failed"');
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('## Offsets table update');
    expect(md).toMatch(/### Failures \(retried next run\) \(\d+\)/);
  });

  it('scans a Go prerelease only with --go-prereleases', async () => {
    // A GOROOT whose VERSION is a release candidate; its go fails, so a scan shows as a failed job.
    const goroot = join(dir, 'rc-go');
    await mkdir(join(goroot, 'bin'), { recursive: true });
    await writeFile(join(goroot, 'VERSION'), 'go1.23rc1\n');
    await writeFile(join(goroot, 'bin', 'go'), '#!/bin/sh\nexit 1\n');
    await chmod(join(goroot, 'bin', 'go'), 0o755);
    const stable = join(dir, 'rc-stable.json');
    expect(await run('run', '--config', configPath, '--source', `dir:${goroot}`, '--arch', 'amd64', '--out', stable)).toBe(0);
    expect(stdout).toContain('new versions: 0');
    expect(await readFile(stable, 'utf8')).not.toContain('go1.23rc1');
    const pre = join(dir, 'rc-pre.json');
    expect(await run('run', '--config', configPath, '--source', `dir:${goroot}`, '--arch', 'amd64', '--out', pre, '--go-prereleases')).toBe(2);
    expect(await readFile(pre, 'utf8')).toContain('go1.23rc1');
  });

  it('exits 0 on success, prints the summary, and merge/summarize work on its output', async () => {
    const tc = (await matrix()).find((t) => t.minor === '1.19') ?? (await matrix())[0];
    const out = join(dir, 'ok.json');
    const summary = join(dir, 'ok.md');
    expect(await run('run', '--config', configPath, '--source', `dir:${tc.goroot}`, '--arch', 'amd64', '--out', out, '--summary', summary)).toBe(0);
    expect(stdout).toContain(`new versions: 1 (std@${tc.version})`);
    expect(await readFile(summary, 'utf8')).toContain(`std@${tc.version}`);
    const merged = join(dir, 'merged.json');
    expect(await run('merge', out, '--out', merged)).toBe(0);
    expect(await readFile(merged, 'utf8')).toBe(await readFile(out, 'utf8'));
    expect(await run('summarize', '--base', join(dir, 'failed.json'), '--table', out)).toBe(0);
    expect(stdout).toContain('### New versions');
    expect(await run('merge', join(dir, 'missing.json'), '--out', merged)).toBe(1);
    expect(stderr).toContain('ERR_TABLE_READ');
  });
});

/** A run with every remote source down: go.dev and the module proxy refuse connections, plus one local GOROOT. */
const reportArgs = (tc: Toolchain, down: string, out: string) => [
  'run', '--config', defaultConfigPath,
  '--source', 'go.dev', `dir:${tc.goroot}`,
  '--go-mirror', down,
  '--module-source', 'proxy',
  '--goproxy', down,
  '--arch', 'amd64',
  '--out', out,
];

describe('offsets-tracker run output', () => {
  let tc: Toolchain;
  let down: string;
  beforeAll(async () => {
    tc = (await matrix())[0];
    down = await unreachableUrl();
  });

  it('prints each source once, as a table, then one line of changes; warnings stay on stderr', async () => {
    const out = join(dir, 'report-text.json');
    expect(await run(...reportArgs(tc, down, out))).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(lines).toEqual([
      'listed  source: jobs',
      '     -  go.dev: unavailable, skipped: unreachable (connect ECONNREFUSED)',
      expect.stringMatching(new RegExp(`^     1  ${esc(`dir:${tc.goroot}`)}: 1 jobs: 0 from the table, [01] from the cache, [01] built, 0 failed$`)),
      '     -  module proxy: unavailable, skipped: unreachable (connect ECONNREFUSED)',
      expect.stringMatching(new RegExp(`^${esc(out)}: new versions: 1 \\(std@${esc(tc.version)}\\); new offsets: \\d+, changed offsets: 0, failures: 0$`)),
    ]);
    // No host, no URL, in what a person reads.
    expect(stdout).not.toMatch(/127\.0\.0\.1|https?:\/\//);
    // Every source is named once on stdout and nowhere on stderr.
    expect(stdout.match(/go\.dev/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/go\.dev|module proxy/);
  });

  it('--json gives the same summary as one JSON document on stdout', async () => {
    const out = join(dir, 'report.json');
    expect(await run(...reportArgs(tc, down, out), '--json')).toBe(0);
    const doc = JSON.parse(stdout) as { out: string; exitCode: number; sources: { source: string; available: boolean; why?: string; versions: number; counts: Record<string, number> }[]; changes: { newVersions: string[] } };
    expect(doc.out).toBe(out);
    expect(doc.exitCode).toBe(0);
    expect(doc.sources.map((s) => [s.source, s.available, s.why ?? null])).toEqual([
      ['go.dev', false, 'unreachable (connect ECONNREFUSED)'],
      [`dir:${tc.goroot}`, true, null],
      ['module proxy', false, 'unreachable (connect ECONNREFUSED)'],
    ]);
    const local = doc.sources[1];
    expect(local.versions).toBe(1);
    expect(local.counts.jobs).toBe(1);
    expect(local.counts.fromTable + local.counts.fromCache + local.counts.built).toBe(1);
    expect(local.counts.failed).toBe(0);
    expect(doc.changes.newVersions).toEqual([`std@${tc.version}`]);
    expect(stdout).not.toMatch(/127\.0\.0\.1|https?:\/\//);
  });
});
