import type { ListModuleVersionsOptions, ModuleVersion } from './types.js';

export type { ListModuleVersionsOptions, ModuleVersion } from './types.js';
export { ModuleSourceError } from './errors.js';

/** Every version of `module`, semver-ordered (ascending). */
export async function listModuleVersions(module: string, opts: ListModuleVersionsOptions = {}): Promise<ModuleVersion[]> {
  void module; void opts;
  throw new Error('not implemented yet');
}

/** Clones (or fetches) the module's git repository into the cache and checks out the tag; returns the module's directory. */
export async function checkoutModuleVersion(module: string, version: string, gitUrl: string): Promise<string> {
  void module; void version; void gitUrl;
  throw new Error('not implemented yet');
}
