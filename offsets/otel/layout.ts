import type { ErrorObject } from 'ajv';
import { TableError } from '../errors.js';
import { parseGoVersion } from '../go-version.js';
import { parseVersionFor, isUnversioned, type TableVersion } from '../versions.js';
import { validate as generatedValidate } from './otel-validator.generated.js';

/**
 * OpenTelemetry's offsets file (`offset_results.json`, written by its
 * `offsetgen` and compiled into its Go auto-instrumentation): a list of
 * modules → packages → structs → fields → offsets entries, each entry an
 * offset (or null: no value) and the versions that have it. Versions have no
 * `go`/`v` prefix and always three numbers (`1.20.0`, `1.0.0-RC1`).
 * Schema: offsets/otel/otel.schema.json.
 */
export interface OtelOffset {
  offset: number | null;
  versions: string[];
}
export interface OtelField {
  field: string;
  offsets: OtelOffset[];
}
export interface OtelStruct {
  struct: string;
  fields: OtelField[];
}
export interface OtelPackage {
  package: string;
  structs: OtelStruct[];
}
export interface OtelModule {
  module: string;
  packages: OtelPackage[];
}
export type OtelFile = OtelModule[];

const validator = generatedValidate as unknown as ((doc: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Checks a parsed JSON document against OpenTelemetry's layout (ERR_TABLE_SCHEMA naming the JSON pointer). */
export function checkOtelLayout(doc: unknown, origin: string): OtelFile {
  if (!validator(doc)) {
    const e = validator.errors?.[0];
    throw new TableError('ERR_TABLE_SCHEMA', `${origin}: violates OpenTelemetry's offsets layout at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}`);
  }
  return doc as OtelFile;
}

/** Go pre-releases as OpenTelemetry's version library prints them: `1.22.0-rc1` for go1.22rc1. */
const GO_PRE = /^(\d+)\.(\d+)\.0-(beta|rc)(\d+)$/;

/**
 * A version of OpenTelemetry's file in our canonical form: `1.20.0` → `go1.20`
 * (std), `1.0.0-RC1` → `v1.0.0-RC1`. Throws ERR_BAD_GO_VERSION /
 * ERR_BAD_MODULE_VERSION for one that does not parse.
 */
export function fromOtelVersion(module: string, raw: string): TableVersion {
  const pre = module === 'std' ? GO_PRE.exec(raw) : null;
  const text = module !== 'std' ? `v${raw}` : pre ? `go${pre[1]}.${pre[2]}${pre[3]}${pre[4]}` : `go${raw}`;
  const v = parseVersionFor(module, text);
  if (isUnversioned(v) || v.devel) throw new TableError(module === 'std' ? 'ERR_BAD_GO_VERSION' : 'ERR_BAD_MODULE_VERSION', `not a version: ${JSON.stringify(raw)}`);
  return v;
}

/** Our canonical version as OpenTelemetry's file writes it: `go1.20` → `1.20.0`, `go1.22rc1` → `1.22.0-rc1`, `v1.60.0` → `1.60.0`. */
export function toOtelVersion(module: string, canonical: string): string {
  if (module !== 'std') return canonical.replace(/^v/, '');
  const go = parseGoVersion(canonical);
  return go.pre ? `${go.major}.${go.minor}.0-${go.pre.kind}${go.pre.n}` : `${go.major}.${go.minor}.${go.patch}`;
}
