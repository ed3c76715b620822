// Probe binaries for the reader tests: the shared fixtures from test/support/probes.ts
// when they exist; until then (the stub throws "not built yet"), this directory's
// probe built with every matrix toolchain in every variant, cached under cacheRoot().
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../../common/cache-dir.js';
import { probeBinaries, type ProbeBinary, type ProbeVariant } from '../../support/probes.js';
import { goEnv, matrixToolchains, type Toolchain } from '../../support/toolchains.js';

const run = promisify(execFile);
const probeDir = join(dirname(fileURLToPath(import.meta.url)), 'probe');

const VARIANTS: Record<ProbeVariant, { arch: 'amd64' | 'arm64'; args: string[]; env: Record<string, string>; stripped: boolean; pie: boolean }> = {
  plain: { arch: 'amd64', args: [], env: { CGO_ENABLED: '0' }, stripped: false, pie: false },
  stripped: { arch: 'amd64', args: ['-ldflags=-s -w'], env: { CGO_ENABLED: '0' }, stripped: true, pie: false },
  pie: { arch: 'amd64', args: ['-buildmode=pie'], env: { CGO_ENABLED: '0' }, stripped: false, pie: true },
  external: { arch: 'amd64', args: ['-ldflags=-linkmode=external'], env: { CGO_ENABLED: '1' }, stripped: false, pie: false },
  arm64: { arch: 'arm64', args: [], env: { CGO_ENABLED: '0', GOARCH: 'arm64' }, stripped: false, pie: false },
  'arm64-stripped': { arch: 'arm64', args: ['-ldflags=-s -w'], env: { CGO_ENABLED: '0', GOARCH: 'arm64' }, stripped: true, pie: false },
};

let memo: Promise<ProbeBinary[]> | undefined;

/** Every probe binary the reader tests run over. */
export function testProbes(): Promise<ProbeBinary[]> {
  return (memo ??= load());
}

/** One probe (the shared fixture when it exists, else built here): for benchmarks that need only one. */
export async function probeFor(tc: Toolchain, variant: ProbeVariant): Promise<ProbeBinary> {
  try {
    const found = (await probeBinaries()).find((p) => p.toolchain.version === tc.version && p.variant === variant);
    if (found) return found;
    throw new Error(`no ${variant} probe for ${tc.version} among the shared fixtures`);
  } catch (err) {
    if (!(err instanceof Error && /not built yet/.test(err.message))) throw err;
  }
  return buildProbe(tc, variant);
}

async function load(): Promise<ProbeBinary[]> {
  try {
    return await probeBinaries();
  } catch (err) {
    if (!(err instanceof Error && /not built yet/.test(err.message))) throw err;
  }
  const out: ProbeBinary[] = [];
  for (const tc of await matrixToolchains()) {
    for (const variant of Object.keys(VARIANTS) as ProbeVariant[]) out.push(await buildProbe(tc, variant));
  }
  return out;
}

async function sourceHash(): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else h.update(relative(probeDir, p)).update(await readFile(p));
    }
  };
  await walk(probeDir);
  return h.digest('hex').slice(0, 16);
}

async function buildProbe(tc: Toolchain, variant: ProbeVariant): Promise<ProbeBinary> {
  const v = VARIANTS[variant];
  const out = cachePath('reader-probes', tc.version, await sourceHash(), variant, 'probe');
  if (!existsSync(out)) {
    await mkdir(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await run(tc.go, ['build', '-trimpath', '-o', tmp, ...v.args, '.'], {
        cwd: probeDir,
        env: goEnv(tc, { GOOS: 'linux', GOARCH: 'amd64', ...v.env }),
        maxBuffer: 16 << 20,
      });
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true });
      const e = err as { stderr?: string; message: string };
      throw new Error(`building the ${variant} probe with ${tc.version} (${tc.go}) failed: ${e.stderr || e.message}`);
    }
  }
  return { toolchain: tc, variant, arch: v.arch, path: out, stripped: v.stripped, pie: v.pie };
}
