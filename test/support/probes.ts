// The probe binaries every reader test runs against: test/fixtures/probe built by
// each toolchain of the matrix in each variant, cached under cacheRoot()/probes/
// by (toolchain version, fixture source hash, variant).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { cachePath } from '../../common/cache-dir.js';
import { goBuildOnce, matrixToolchains, type Toolchain } from './toolchains.js';

export type ProbeVariant = 'plain' | 'stripped' | 'pie' | 'external' | 'arm64' | 'arm64-stripped';

export interface ProbeBinary {
  toolchain: Toolchain;
  variant: ProbeVariant;
  arch: 'amd64' | 'arm64';
  path: string;
  /** Built with -ldflags "-s -w": no symbol table, no DWARF. */
  stripped: boolean;
  pie: boolean;
}

interface VariantSpec {
  arch: 'amd64' | 'arm64';
  args: string[];
  env: Record<string, string>;
  stripped: boolean;
  pie: boolean;
}

/** How each variant is built. Only `external` uses cgo (and so gcc and the system linker). */
export const VARIANTS: Record<ProbeVariant, VariantSpec> = {
  plain: { arch: 'amd64', args: [], env: { CGO_ENABLED: '0' }, stripped: false, pie: false },
  stripped: { arch: 'amd64', args: ['-ldflags=-s -w'], env: { CGO_ENABLED: '0' }, stripped: true, pie: false },
  pie: { arch: 'amd64', args: ['-buildmode=pie'], env: { CGO_ENABLED: '0' }, stripped: false, pie: true },
  external: { arch: 'amd64', args: ['-ldflags=-linkmode=external'], env: { CGO_ENABLED: '1' }, stripped: false, pie: false },
  arm64: { arch: 'arm64', args: [], env: { CGO_ENABLED: '0' }, stripped: false, pie: false },
  'arm64-stripped': { arch: 'arm64', args: ['-ldflags=-s -w'], env: { CGO_ENABLED: '0' }, stripped: true, pie: false },
};

export const PROBE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'probe');

/** sha256 over the fixture's file names and contents (the probe cache key). */
export async function probeSourceHash(): Promise<string> {
  const h = createHash('sha256');
  for (const name of (await readdir(PROBE_DIR)).sort()) {
    h.update(`${name}\0`).update(await readFile(join(PROBE_DIR, name))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

function minorOf(tc: Toolchain): number {
  return Number(tc.minor.split('.')[1]);
}

/** `go build` flags for a variant; -buildvcs=false (1.18+) keeps the repo's git state out of the binary. */
function buildArgs(tc: Toolchain, spec: VariantSpec): string[] {
  return [...(minorOf(tc) >= 18 ? ['-buildvcs=false'] : []), ...spec.args];
}

export function probePath(tc: Toolchain, variant: ProbeVariant, srcHash: string): string {
  const spec = createHash('sha256').update(JSON.stringify(VARIANTS[variant])).digest('hex').slice(0, 8);
  return cachePath('probes', tc.version, `${srcHash}-${spec}`, variant, 'probe');
}

/** Builds one probe (unless cached), once per machine. */
export async function buildProbe(tc: Toolchain, variant: ProbeVariant, srcHash: string): Promise<ProbeBinary> {
  const spec = VARIANTS[variant];
  const path = probePath(tc, variant, srcHash);
  await goBuildOnce(tc, path, {
    cwd: PROBE_DIR,
    args: buildArgs(tc, spec),
    env: { GOOS: 'linux', GOARCH: spec.arch, ...spec.env },
    what: `the ${variant} probe`,
  });
  return { toolchain: tc, variant, arch: spec.arch, path, stripped: spec.stripped, pie: spec.pie };
}

/**
 * Variants a toolchain is built in: every one for the oldest, the middle and the newest toolchain of
 * the matrix; the others leave out `external`. An externally linked probe costs a std of its own (cgo's
 * net and all that imports it) and a gcc link, about 18 s of CPU cold per toolchain, and what it tests
 * (C code and the system linker's layout around Go's sections) changes with the linker, not with each
 * Go line: three toolchains spanning the matrix cover it.
 */
export function variantsFor(tc: Toolchain, matrix: Toolchain[]): ProbeVariant[] {
  const all = Object.keys(VARIANTS) as ProbeVariant[];
  const i = matrix.findIndex((t) => t.version === tc.version);
  const linksExternally = i === 0 || i === matrix.length - 1 || i === Math.floor(matrix.length / 2);
  return linksExternally ? all : all.filter((v) => v !== 'external');
}

let memo: Promise<ProbeBinary[]> | undefined;

/**
 * Every probe binary of the matrix, built once and cached by toolchain, source hash
 * and variant. Any build that fails makes this throw, naming every failed build.
 */
export function probeBinaries(): Promise<ProbeBinary[]> {
  memo ??= (async () => {
    const srcHash = await probeSourceHash();
    const limit = pLimit(2);
    const matrix = await matrixToolchains();
    const all = matrix.flatMap((tc) => variantsFor(tc, matrix).map((v) => [tc, v] as const));
    // The stripped variants differ from their twins only in the link: queued after every other
    // build, they find their packages compiled (side by side, one would wait for the other:
    // common/go-first-build.ts). The result keeps the matrix's order.
    const order = [...all.filter(([, v]) => !VARIANTS[v].stripped), ...all.filter(([, v]) => VARIANTS[v].stripped)];
    const built = new Map(order.map((job) => [job, limit(() => buildProbe(job[0], job[1], srcHash))]));
    const settled = await Promise.allSettled(all.map((job) => built.get(job)!));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
    if (failed.length) throw new Error(`${failed.length} probe build(s) failed:\n${failed.join('\n')}`);
    return settled.map((s) => (s as PromiseFulfilledResult<ProbeBinary>).value);
  })();
  return memo;
}
