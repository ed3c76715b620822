/**
 * The tracker's configuration: which struct fields to measure, per module
 * (`std` or a module path), with optional version bounds. Validated against
 * tracker/schema/config.schema.json; every error names the bad entry by JSON
 * pointer.
 */
import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { validate as generatedValidateConfig } from './schema/config-validator.generated.js';
import { GoOffsetsError } from '../common/errors.js';
import { packagePath } from '../common/package-root.js';
import { compareTaggedVersions, tryParseTaggedVersion, versionWithinBounds } from '../offsets/versions.js';

export const defaultConfigPath = packagePath('tracker', 'config.default.json');

/** A config file that cannot be read (ERR_CONFIG_READ). */
export class ConfigReadError extends GoOffsetsError {
  declare readonly code: 'ERR_CONFIG_READ';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG_READ', message, options);
  }
}

/** A config that does not parse or breaks the schema (ERR_CONFIG), pointing at the entry. */
export class ConfigError extends GoOffsetsError {
  declare readonly code: 'ERR_CONFIG';
  /** JSON pointer of the offending entry (`` for the whole document). */
  readonly pointer: string;
  constructor(file: string, pointer: string, message: string) {
    super('ERR_CONFIG', `${file}: ${pointer || '/'}: ${message}`);
    this.pointer = pointer;
  }
}

export interface VersionBounds {
  minVersion?: string;
  maxVersion?: string;
}

/** One tracked field, flattened: what the probe makes reachable and the reader reads. */
export interface TrackedField extends VersionBounds {
  /** `net/http.Request.ctx` */
  selector: string;
  pkg: string;
  type: string;
  field: string;
}

export interface TrackedPackage {
  path: string;
  /** What the probe imports so that `path` is linked in. */
  importPath: string;
}

export interface TrackedModule extends VersionBounds {
  /** `std` or a module path. */
  module: string;
  includePrereleases: boolean;
  packages: TrackedPackage[];
  fields: TrackedField[];
}

export interface TrackerConfig {
  file: string;
  modules: TrackedModule[];
}

interface RawField extends VersionBounds { name: string }
interface RawStruct extends VersionBounds { name: string; fields: Array<string | RawField> }
interface RawPackage { path: string; import?: string; structs: RawStruct[] }
interface RawModule extends VersionBounds { module: string; includePrereleases?: boolean; packages: RawPackage[] }
interface RawConfig { modules: RawModule[] }

/** tracker/schema/config.schema.json, compiled ahead of time (tracker/schema/generate-validators.ts). */
const validator = generatedValidateConfig as unknown as ((doc: unknown) => boolean) & { errors?: ErrorObject[] | null };
function validate(doc: unknown): ErrorObject[] {
  return validator(doc) ? [] : (validator.errors ?? []);
}

/** The most specific schema error: the deepest pointer, skipping the if/then/oneOf wrappers that only repeat it. */
function bestError(errors: ErrorObject[]): ErrorObject {
  const meaningful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const pool = meaningful.length ? meaningful : errors;
  return pool.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'required') return `missing property "${(e.params as { missingProperty: string }).missingProperty}"`;
  return e.message ?? e.keyword;
}

/** True when `version` lies within the (inclusive) bounds. */
export function withinBounds(version: string, bounds: VersionBounds): boolean {
  return versionWithinBounds(version, bounds);
}

/** The tighter of two bounds (a field inherits its struct's and its module's). */
function narrow(outer: VersionBounds, inner: VersionBounds): VersionBounds {
  const out: VersionBounds = {};
  const pick = (a: string | undefined, b: string | undefined, wantMax: boolean) => {
    if (!a) return b;
    if (!b) return a;
    const gt = compareTaggedVersions(a, b) > 0;
    return gt === wantMax ? a : b;
  };
  const min = pick(outer.minVersion, inner.minVersion, true);
  const max = pick(outer.maxVersion, inner.maxVersion, false);
  if (min) out.minVersion = min;
  if (max) out.maxVersion = max;
  return out;
}

/** The package a probe imports to link `path` in: internal packages can only be reached through their parent. */
export function defaultImportPath(path: string): string {
  const parts = path.split('/');
  const i = parts.indexOf('internal');
  return i > 0 ? parts.slice(0, i).join('/') : path;
}

function isStdPath(path: string): boolean {
  return !path.split('/')[0].includes('.');
}

/** Validates a parsed config document; `file` only names it in errors. */
export function parseConfig(doc: unknown, file = '<config>'): TrackerConfig {
  const errors = validate(doc);
  if (errors.length) {
    const e = bestError(errors);
    throw new ConfigError(file, e.instancePath, describe(e));
  }
  const raw = doc as RawConfig;
  const seenModules = new Map<string, number>();
  const seenFields = new Map<string, string>();
  const modules: TrackedModule[] = raw.modules.map((m, mi) => {
    const mPtr = `/modules/${mi}`;
    if (seenModules.has(m.module)) throw new ConfigError(file, `${mPtr}/module`, `module "${m.module}" is already listed at /modules/${seenModules.get(m.module)}`);
    seenModules.set(m.module, mi);
    const std = m.module === 'std';
    if (!std && isStdPath(m.module)) throw new ConfigError(file, `${mPtr}/module`, `"${m.module}" is neither "std" nor a module path (its first element has no dot)`);
    checkBounds(file, mPtr, m);
    const packages: TrackedPackage[] = [];
    const fields: TrackedField[] = [];
    m.packages.forEach((p, pi) => {
      const pPtr = `${mPtr}/packages/${pi}`;
      if (std ? !isStdPath(p.path) : p.path !== m.module && !p.path.startsWith(`${m.module}/`)) {
        throw new ConfigError(file, `${pPtr}/path`, std
          ? `"${p.path}" is not a standard library package; list it under the module that defines it`
          : `"${p.path}" is not a package of module ${m.module}; a field belongs to the module that defines its package`);
      }
      packages.push({ path: p.path, importPath: p.import ?? defaultImportPath(p.path) });
      p.structs.forEach((s, si) => {
        const sPtr = `${pPtr}/structs/${si}`;
        checkBounds(file, sPtr, s);
        s.fields.forEach((f, fi) => {
          const fPtr = `${sPtr}/fields/${fi}`;
          const rf: RawField = typeof f === 'string' ? { name: f } : f;
          checkBounds(file, fPtr, rf);
          const selector = `${p.path}.${s.name}.${rf.name}`;
          if (seenFields.has(selector)) throw new ConfigError(file, fPtr, `field ${selector} is already listed at ${seenFields.get(selector)}`);
          seenFields.set(selector, fPtr);
          fields.push({ selector, pkg: p.path, type: s.name, field: rf.name, ...narrow(narrow(m, s), rf) });
        });
      });
    });
    return { module: m.module, includePrereleases: m.includePrereleases ?? false, packages, fields, ...narrow({}, m) };
  });
  return { file, modules };
}

function checkBounds(file: string, ptr: string, b: VersionBounds): void {
  for (const key of ['minVersion', 'maxVersion'] as const) {
    const v = b[key];
    if (v !== undefined && !tryParseTaggedVersion(v)) throw new ConfigError(file, `${ptr}/${key}`, `"${v}" is not a version`);
  }
  if (b.minVersion && b.maxVersion && compareTaggedVersions(b.minVersion, b.maxVersion) > 0) {
    throw new ConfigError(file, ptr, `minVersion ${b.minVersion} is above maxVersion ${b.maxVersion}`);
  }
}

export async function loadConfig(path: string = defaultConfigPath): Promise<TrackerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigReadError( `${path}: cannot read the config: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, '', `not JSON: ${(err as Error).message}`);
  }
  return parseConfig(doc, path);
}

/** The fields of `module` to measure at `version`, after every bound. */
export function fieldsAt(module: TrackedModule, version: string): TrackedField[] {
  return module.fields.filter((f) => withinBounds(version, f));
}
