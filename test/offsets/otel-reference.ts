/**
 * The layout of today's largest public offsets table (OpenTelemetry Go
 * auto-instrumentation's offset_results.json): modules → packages → structs
 * → fields → [{offset, versions[]}], pretty-printed, versions without their
 * `go`/`v` prefix, one arch. Used to compare sizes: rendering our own
 * observations in that layout gives a same-run reference, and a cached copy
 * of the real file (never committed) converts to observations.
 */
import { fileURLToPath } from 'node:url';
import { splitFieldSelector, type Observation } from '../../offsets/observation.js';

/**
 * OpenTelemetry's published offset_results.json, read where it lives beside the
 * clone (../shared/reference/otel/ from the repository root, in CI as here);
 * never copied into the repository.
 */
export const OTEL_REFERENCE_PATH = fileURLToPath(new URL('../../../shared/reference/otel/offset_results.json', import.meta.url));

interface OtelFile {
  module: string;
  packages: { package: string; structs: { struct: string; fields: { field: string; offsets: { offset: number | null; versions: string[] }[] }[] }[] }[];
}

/** Renders amd64 observations in the reference layout, with its 2-space pretty printing. */
export function renderOtelLayout(obs: Observation[]): string {
  const tree = new Map<string, Map<string, Map<string, Map<string, Map<number | null, string[]>>>>>();
  const child = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
    if (!m.has(k)) m.set(k, make());
    return m.get(k)!;
  };
  for (const o of obs) {
    if (o.arch !== 'amd64' || o.result.status === 'failed') continue;
    const sel = splitFieldSelector(o.field)!;
    const offsets = child(child(child(child(tree, o.module, () => new Map()), sel.pkg, () => new Map()), sel.type, () => new Map()), sel.field, () => new Map());
    child(offsets, o.result.status === 'ok' ? o.result.offset : null, () => [] as string[]).push(o.version.replace(/^go|^v/, ''));
  }
  const doc: OtelFile[] = [...tree].map(([module, pkgs]) => ({
    module,
    packages: [...pkgs].map(([pkg, structs]) => ({
      package: pkg,
      structs: [...structs].map(([struct, fields]) => ({
        struct,
        fields: [...fields].map(([field, offsets]) => ({ field, offsets: [...offsets].map(([offset, versions]) => ({ offset, versions })) })),
      })),
    })),
  }));
  return JSON.stringify(doc, null, 2);
}

/** Converts the reference file to observations (amd64; null offsets are absent). */
export function otelToObservations(text: string): Observation[] {
  const doc = JSON.parse(text) as OtelFile[];
  const obs: Observation[] = [];
  for (const mod of doc) {
    const std = mod.module === 'std';
    for (const pkg of mod.packages) {
      for (const struct of pkg.structs) {
        for (const field of struct.fields) {
          for (const { offset, versions } of field.offsets) {
            for (const v of versions) {
              obs.push({
                module: mod.module,
                version: std ? `go${v}` : `v${v}`,
                source: 'reference',
                arch: 'amd64',
                field: `${pkg.package}.${struct.struct}.${field.field}`,
                result: offset === null ? { status: 'absent' } : { status: 'ok', offset },
              });
            }
          }
        }
      }
    }
  }
  return obs;
}
