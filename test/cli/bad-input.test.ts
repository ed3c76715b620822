// Every command of the three CLIs, run as built (bin/ → dist/) with bad input:
// one stderr line `PROGRAM: CODE: message`, and the exit code of the README's
// table (common/report-error.ts EXIT).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, reportError, setErrorWriter } from '../../common/report-error.js';
import { builtCli, LAUNCHERS, repoRoot, requireFreshBuild } from '../support/built-cli.js';

let dir: string;
let corrupt: string;
let badConfig: string;
const notElf = join(repoRoot, 'package.json');
const CTX = 'net/http.Request.ctx';

beforeAll(async () => {
  requireFreshBuild('dist/cli/offsets.js', ['cli/offsets.ts', 'common/report-error.ts', 'tracker/cli.ts']);
  requireFreshBuild('dist/bundle/offsets-agent.js', ['agent/cli.ts', 'common/report-error.ts', 'common/launch.ts']);
  requireFreshBuild('dist/bundle/offsets.js', ['cli/offsets.ts', 'tracker/cli.ts', 'common/launch.ts']);
  dir = await mkdtemp(join(tmpdir(), 'go-offsets-bad-input-'));
  corrupt = join(dir, 'corrupt.json');
  await writeFile(corrupt, '{"formatVersion": 1, "modules": {');
  badConfig = join(dir, 'config.json');
  await writeFile(badConfig, JSON.stringify({ modules: [{ module: 'std', packages: [{ path: 'net/http', structs: [{ name: 'Request', fields: [7] }] }] }] }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Program = keyof typeof LAUNCHERS;
// Paths in <angle brackets> are made in beforeAll; the test titles show the placeholders.
const cases: [Program, string[], number, string][] = [
  // offsets: every command
  ['offsets', ['dwarf', '<dir>/missing', 'a.B.c'], EXIT.badInput, 'ERR_OPEN'],
  ['offsets', ['dwarf', '<not-elf>', '--all'], EXIT.badInput, 'ERR_NOT_ELF'],
  ['offsets', ['inspect', '<not-elf>'], EXIT.badInput, 'ERR_NOT_ELF'],
  ['offsets', ['types', '<not-elf>', '--all'], EXIT.badInput, 'ERR_NOT_ELF'],
  ['offsets', ['lookup', CTX, '--go', '1.21.5', '--table', '<corrupt>'], EXIT.badInput, 'ERR_TABLE_JSON'],
  ['offsets', ['lookup', CTX, '--go', 'go1.021'], EXIT.badInput, 'ERR_BAD_GO_VERSION'],
  ['offsets', ['history', CTX, '--table', '<corrupt>'], EXIT.badInput, 'ERR_TABLE_JSON'],
  ['offsets', ['diff', '--go', '1.21.5'], EXIT.badInput, 'ERR_BAD_USAGE'],
  ['offsets', ['export', '--format', 'csv'], EXIT.badInput, 'ERR_BAD_USAGE'],
  ['offsets', ['compare', '<corrupt>', '<corrupt>'], EXIT.badInput, 'ERR_TABLE_JSON'],
  ['offsets', ['nosuch'], EXIT.badInput, 'ERR_USAGE'],
  ['offsets', ['dwarf'], EXIT.badInput, 'ERR_USAGE'],
  ['offsets', ['lookup', CTX, '--no-such-flag'], EXIT.badInput, 'ERR_USAGE'],
  // offsets-tracker: every command
  ['offsets-tracker', ['run', '--config', '<bad-config>', '--out', '<dir>/never.json'], EXIT.badInput, 'ERR_CONFIG'],
  ['offsets-tracker', ['run', '--config', '<dir>/missing.json'], EXIT.badInput, 'ERR_CONFIG_READ'],
  ['offsets-tracker', ['run', '--arch', 'mips'], EXIT.badInput, 'ERR_BAD_ARCH'],
  ['offsets-tracker', ['merge', '<corrupt>', '--out', '<dir>/merged.json'], EXIT.badInput, 'ERR_TABLE_JSON'],
  ['offsets-tracker', ['merge', '--out', '<dir>/merged.json'], EXIT.badInput, 'ERR_USAGE'],
  ['offsets-tracker', ['summarize', '--base', '<corrupt>', '--table', '<corrupt>'], EXIT.badInput, 'ERR_TABLE_JSON'],
  ['offsets-tracker', ['nosuch'], EXIT.badInput, 'ERR_USAGE'],
  // offsets-agent: its one command
  ['offsets-agent', [], EXIT.badInput, 'ERR_AGENT_USAGE'],
  ['offsets-agent', ['--pid', 'abc'], EXIT.badInput, 'ERR_AGENT_USAGE'],
  ['offsets-agent', ['--exe', '<not-elf>'], EXIT.badInput, 'ERR_AGENT_TARGET'],
  ['offsets-agent', ['--exe', '<dir>/missing'], EXIT.badInput, 'ERR_AGENT_TARGET'],
];

/** The arguments with their placeholders replaced by the scratch paths. */
function resolve(args: string[]): string[] {
  const paths: Record<string, string> = { dir, 'not-elf': notElf, corrupt, 'bad-config': badConfig };
  return args.map((a) => a.replace(/<([a-z-]+)>/g, (_, name: string) => paths[name]));
}

describe('every CLI reports bad input the same way', () => {
  it.each(cases)('%s %j exits %i with one `PROGRAM: %s: message` line', async (program, args, exit, code) => {
    const r = await builtCli(program, ...resolve(args));
    expect(r.code).toBe(exit);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${program}: ${code}: \\S.*$`))]);
    expect(r.stdout).toBe('');
  });

  it('an unknown answer exits 3 with the answer, no error line', async () => {
    const r = await builtCli('offsets', 'lookup', CTX, '--go', '1.99.0');
    expect(r.code).toBe(EXIT.unknown);
    expect(r.stdout).not.toBe('');
    expect(r.stderr).toBe('');
  });
});

describe('reportError', () => {
  it('reports a bug as ERR_INTERNAL, exit 70, the stack after the one line', () => {
    const out: string[] = [];
    setErrorWriter((l) => out.push(l));
    try {
      expect(reportError('offsets', new TypeError('x is undefined\nsecond line'))).toBe(EXIT.internal);
      expect(out[0]).toBe('offsets: ERR_INTERNAL: x is undefined second line (a bug; the stack follows)\n');
      expect(out[1]).toContain('TypeError: x is undefined');
      out.length = 0;
      const sys = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES', errno: -13, syscall: 'open' });
      expect(reportError('offsets-tracker', sys)).toBe(EXIT.badInput);
      expect(out).toEqual(["offsets-tracker: EACCES: EACCES: permission denied, open '/x'\n"]);
    } finally {
      setErrorWriter((l) => void process.stderr.write(l));
    }
  });
});
