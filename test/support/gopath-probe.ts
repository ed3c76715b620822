// A program built in GOPATH mode (GO111MODULE=off), as distributions build Go programs:
// test/fixtures/gopath, whose main package uses stand-ins for two tracked libraries
// (golang.org/x/net/http2, genproto's rpc/status). Its buildinfo names no module
// versions. Built plain and stripped per toolchain, once, cached under
// cacheRoot()/gopath-probes/ by toolchain, source hash and variant.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../common/cache-dir.js';
import { firstBuildAlone } from '../../common/go-first-build.js';
import { privatePath } from '../../common/private-path.js';
import { goEnv, type Toolchain } from './toolchains.js';

const run = promisify(execFile);
export const GOPATH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'gopath');

async function sourceHash(): Promise<string> {
  const h = createHash('sha256');
  for (const f of (await readdir(GOPATH_DIR, { recursive: true })).sort()) {
    const p = join(GOPATH_DIR, f);
    if ((await stat(p)).isFile()) h.update(`${f}\0`).update(await readFile(p)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The GOPATH-mode program built by `tc`, with DWARF (`plain`) or with -ldflags "-s -w" (`stripped`). */
export async function gopathProbe(tc: Toolchain, variant: 'plain' | 'stripped'): Promise<string> {
  const out = cachePath('gopath-probes', tc.version, await sourceHash(), variant, 'gopathapp');
  if (await stat(out).catch(() => undefined)) return out;
  await mkdir(dirname(out), { recursive: true });
  const tmp = privatePath(out);
  try {
    // -trimpath, as every other build of the suite: std is then the one already compiled for the probes.
    const args = ['build', '-trimpath', ...(variant === 'stripped' ? ['-ldflags=-s -w'] : []), '-o', tmp, '.'];
    const env = goEnv(tc, { GO111MODULE: 'off', GOPATH: GOPATH_DIR, GOFLAGS: '', CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64' });
    await firstBuildAlone(tc.goroot, args, env, () => run(tc.go, args, { cwd: join(GOPATH_DIR, 'src', 'example.com', 'gopathapp'), env }));
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tc.version} could not build the GOPATH probe (${variant}): ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  return out;
}
