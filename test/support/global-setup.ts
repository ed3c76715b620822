// Prepares what the suite shares, once, before any test file runs, so that no
// cold build ever sits behind a per-test timeout: the Go toolchain matrix (from
// the Debian archive), every probe binary, and (for a whole-suite run) the
// tracker's std probes of the matrix, the Debian module builds and the gRPC
// test targets (built from the same Debian trees, for every register-ABI
// toolchain of the matrix). Everything
// goes through the product's own caches and locks, so a test file that asks
// again finds it done, and a second process preparing at the same time waits
// instead of building it twice. Each phase prints its wall time.
import type { TestProject } from 'vitest/node';
import { buildMatrix, MATRIX_ENV } from './toolchains.js';
import { probeBinaries } from './probes.js';
import { prepareDebianModules, prepareTrackerStd } from './prepare.js';
import { GRPC_TARGETS_ENV, prepareGrpcTargets } from './grpc-targets.js';
import { newIndexCache } from '../../debian/packages.js';
import { GO_PROCS_ENV, shareCoresAmong } from '../../common/go-runtime-env.js';

const log = (line: string) => process.stdout.write(`prepare:   ${line}\n`);

async function phase<T>(name: string, work: () => Promise<T>, done: (value: T) => string): Promise<T> {
  const t0 = performance.now();
  process.stdout.write(`prepare: ${name} ...\n`);
  const value = await work();
  process.stdout.write(`prepare: ${name}: ${done(value)} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return value;
}

export default async function setup(project: TestProject): Promise<void> {
  const t0 = performance.now();
  // The build phases below run about six go commands at once (two probe builds, two tracker jobs, a
  // Debian module build, gRPC targets): each gets its share of the cores (common/go-runtime-env.ts).
  // Only here: a test file mostly runs one go command at a time, and two files run side by side.
  const userProcs = process.env[GO_PROCS_ENV];
  shareCoresAmong(6);
  // File filters on the command line (`vitest run FILE`): a developer running a few
  // files; the heavy shared builds are then left to the files that need them (behind the same locks).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const whole = !filters?.length;
  const matrix = phase('Go toolchains', buildMatrix, (m) => `${m.toolchains.length} ready`);
  // The Debian module builds and the gRPC suite targets build with their suites' own Go, which they
  // assemble through the same toolchain cache (and locks) as the matrix: they start at once, and their
  // index reads, downloads, unpacking and first builds fill the cores while the toolchains download
  // (the toolchain phase alone left about half of the CPU idle). Both read the same package indexes
  // (once, shared here) and the same .debs and trees (fetched once: gopath.ts shares a download in
  // flight within the process). The gRPC matrix targets wait for the matrix.
  const indexes = newIndexCache();
  const debian = whole && phase('Debian module builds', () => prepareDebianModules(indexes), (r) => `${r.builds} builds ready (${r.built} built now)`);
  const grpc =
    whole &&
    phase('gRPC targets', () => prepareGrpcTargets({ indexes, toolchains: matrix.then((m) => m.toolchains), log }), (r) => `${r.suites.length} suites and ${r.matrix.length} more toolchains ready (${r.built} built now)`).then((r) => {
      process.env[GRPC_TARGETS_ENV] = r.list;
    });
  // Seen as handled now: awaited below, after the matrix (which may fail first).
  for (const p of [debian, grpc]) if (p) p.catch(() => {});
  const { toolchains, manifest } = await matrix;
  // Workers inherit this and read the matrix from the manifest.
  process.env[MATRIX_ENV] = manifest;
  await Promise.all([
    phase('probe binaries', probeBinaries, (p) => `${p.length} ready`),
    whole && phase('tracker std probes', () => prepareTrackerStd(toolchains), (n) => `${n} jobs ready`),
    debian,
    grpc,
  ]);
  if (userProcs === undefined) delete process.env[GO_PROCS_ENV];
  process.stdout.write(`prepare: done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
