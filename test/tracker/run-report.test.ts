// What `offsets-tracker run` prints: one row per source (available or why not,
// versions listed, jobs by outcome) and one line saying what changed, or the
// same as one JSON document with --json. Unreachable sources are real
// 127.0.0.1 ports that refuse connections; the rows name no host.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../tracker/cli.js';
import { unreachableUrl } from '../support/servers/index.js';
import { matrix, tempDir } from './tracker-helpers.js';
import { defaultConfigPath } from '../../tracker/config.js';
import type { Toolchain } from '../support/toolchains.js';

let dir: string;
let tc: Toolchain;
let down: string;
let stdout: string;
let stderr: string;

beforeAll(async () => {
  dir = await tempDir('report');
  tc = (await matrix())[0];
  down = await unreachableUrl();
});

afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]): Promise<number> {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  try {
    return await main(argv);
  } finally {
    vi.restoreAllMocks();
  }
}

/** A run with every remote source down: go.dev and the module proxy refuse connections, plus one local GOROOT. */
const args = (out: string) => [
  'run', '--config', defaultConfigPath,
  '--source', 'go.dev', `dir:${tc.goroot}`,
  '--go-mirror', down,
  '--module-source', 'proxy',
  '--goproxy', down,
  '--arch', 'amd64',
  '--out', out,
];

describe('offsets-tracker run output', () => {
  it('prints each source once, as a table, then one line of changes; warnings stay on stderr', async () => {
    const out = join(dir, 'text.json');
    expect(await run(...args(out))).toBe(0);
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
    const out = join(dir, 'json.json');
    expect(await run(...args(out), '--json')).toBe(0);
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
