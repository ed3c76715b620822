// Prepares what the suite shares, once, before any test file runs: the Go
// toolchain matrix (from the Debian archive, cached) and every probe binary
// (cached). A probe that some toolchain cannot build fails the run here, by name.
import { buildMatrix, MATRIX_ENV } from './toolchains.js';
import { probeBinaries } from './probes.js';

export default async function setup(): Promise<void> {
  const { manifest } = await buildMatrix();
  // Workers inherit this and read the matrix from the manifest.
  process.env[MATRIX_ENV] = manifest;
  await probeBinaries();
}
