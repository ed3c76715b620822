import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory, the one place that works it out. This file
 * runs from three places: common/ (the sources, under tsx or vitest),
 * dist/common/ (compiled by tsc) and dist/bundle/ (one of the esbuild bundles,
 * where import.meta.url is the bundle's own URL: scripts/build-bundles.mjs).
 * In dist/ the root is the directory above dist/; otherwise it is the parent.
 */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = here.lastIndexOf(`${sep}dist${sep}`);
  return dist >= 0 ? here.slice(0, dist) : dirname(here);
}

/** A path inside the package: packagePath('bpf', 'nethttp.amd64.o'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

/** offsets/offsets.json of this package: the table every command reads unless told otherwise. */
export function defaultTablePath(): string {
  return packagePath('offsets', 'offsets.json');
}
