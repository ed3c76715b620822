/**
 * The go commands of a Debian module build, in GOPATH mode (GO111MODULE=off):
 * `go list -deps` to walk the probe's import graph, and `go build` with the
 * probe's toolexec wrapper. The GOPATH is the list of the chosen packages'
 * extracted trees (see gopath.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath } from '../../common/cache-dir.js';
import type { Arch } from '../../offsets/observation.js';
import { DEFAULT_BUILD_TIMEOUT_MS, goEnv, runGo, type Toolchain } from '../build.js';
import { ensureToolexecDir, writeFiles, type ProbeFiles } from '../probe/generate.js';

export function gopathEnv(tc: Toolchain, arch: Arch, gopath: string[]): NodeJS.ProcessEnv {
  return { ...goEnv(tc, arch), GO111MODULE: 'off', GOFLAGS: '', GOPATH: gopath.join(':'), GOPROXY: 'off' };
}

export interface ListedPackage {
  importPath: string;
  /** The GOPATH entry it was found in ('' for std or not found). */
  root: string;
  standard: boolean;
  /** Set when the package could not be found. */
  missing: boolean;
  error?: string;
}

/** `go list -e -deps` of the probe's main package directory, in GOPATH mode. */
export async function listDeps(tc: Toolchain, arch: Arch, gopath: string[], dir: string, timeoutMs = DEFAULT_BUILD_TIMEOUT_MS): Promise<ListedPackage[]> {
  const format = '{{.ImportPath}}\t{{.Root}}\t{{.Standard}}\t{{with .Error}}{{.Err}}{{end}}';
  const { stdout } = await runGo(tc, ['list', '-e', '-deps', '-f', format, '.'], { cwd: dir, env: gopathEnv(tc, arch, gopath), timeoutMs });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [importPath, root, standard, error] = line.split('\t');
      const missing = /cannot find package|is not in (GOROOT|std)/.test(error ?? '');
      return { importPath, root, standard: standard === 'true', missing, ...(error ? { error: error.replace(/\s+/g, ' ') } : {}) };
    });
}

/** Builds the probe in GOPATH mode; returns the binary's path (inside workDir). */
export async function buildGopathProbe(req: { toolchain: Toolchain; arch: Arch; gopath: string[]; probe: ProbeFiles; workDir: string; timeoutMs?: number }): Promise<string> {
  const toolexecDir = await ensureToolexecDir(cachePath('tracker', 'toolexec'), req.probe);
  await mkdir(req.workDir, { recursive: true });
  await writeFiles(req.workDir, req.probe.main);
  const out = join(req.workDir, `probe-${req.arch}`);
  await runGo(req.toolchain, ['build', '-trimpath', '-toolexec', join(toolexecDir, 'toolexec.sh'), ...req.probe.gcflags, '-o', out, '.'], {
    cwd: req.workDir,
    env: gopathEnv(req.toolchain, req.arch, req.gopath),
    timeoutMs: req.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
  });
  return out;
}
