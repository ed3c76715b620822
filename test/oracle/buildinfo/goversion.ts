// The buildinfo oracle: `go version -m BINARY` run with the toolchain that built
// the binary, its output parsed here independently of gobin/modinfo.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { goEnv, type Toolchain } from '../../support/toolchains.js';

const run = promisify(execFile);

export interface OracleModule {
  path: string;
  version: string;
  sum: string;
  replace: OracleModule | null;
}

export interface OracleBuildInfo {
  goVersion: string;
  path: string;
  main: OracleModule | null;
  modules: OracleModule[];
  settings: Record<string, string>;
}

export async function goVersionM(tc: Toolchain, binary: string): Promise<OracleBuildInfo> {
  const { stdout } = await run(tc.go, ['version', '-m', binary], { env: goEnv(tc) });
  const [first, ...rest] = stdout.split('\n');
  const out: OracleBuildInfo = { goVersion: first.slice(first.lastIndexOf(': ') + 2).trim(), path: '', main: null, modules: [], settings: {} };
  let last: OracleModule | null = null;
  const mod = (f: string[]): OracleModule => ({ path: f[0], version: f[1], sum: f[2] ?? '', replace: null });
  for (const raw of rest) {
    if (!raw.startsWith('\t')) continue;
    const [kind, ...f] = raw.slice(1).split('\t');
    if (kind === 'path') out.path = f[0];
    else if (kind === 'mod') last = out.main = mod(f);
    else if (kind === 'dep') out.modules.push((last = mod(f)));
    else if (kind === '=>') last!.replace = mod(f);
    else if (kind === 'build') {
      const kv = f.join('\t');
      // Keys and values that need it are Go-quoted; the probes' are plain or JSON-compatible.
      const m = /^("(?:[^"\\]|\\.)*"|[^=]+)=(.*)$/.exec(kv);
      if (!m) throw new Error(`go version -m: unparsable build line ${JSON.stringify(raw)}`);
      const unq = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s.startsWith('`') ? s.slice(1, -1) : s);
      out.settings[unq(m[1])] = unq(m[2]);
    }
  }
  return out;
}
