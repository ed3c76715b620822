import { buildTable } from '../build.js';
import { TableError } from '../errors.js';
import type { Observation } from '../observation.js';
import type { LoadedTable } from '../loaded-table.js';
import { importFiling, type FieldFiling } from './keying.js';
import { fromOtelVersion, type OtelFile } from './layout.js';

/** The source name imported versions carry (OpenTelemetry's file names none). */
export const OTEL_SOURCE = 'otel';

/**
 * Converts OpenTelemetry's file (already checked against its layout) into our
 * table, in memory. Each field moves to its owning module (keying.ts) and
 * remembers where OpenTelemetry filed it. OpenTelemetry writes one arch
 * (its generator builds for amd64). A null offset is "no value": the field
 * does not exist at that version, or OpenTelemetry's build of it failed, and
 * the file does not say which. It is imported as a failed scan (nothing
 * known, never read as absent or as a value) and answered as `no-value`.
 */
export function importOtel(doc: OtelFile, origin: string): LoadedTable {
  const obs: Observation[] = [];
  const filing = new Map<string, FieldFiling>();
  const keyedBy = new Map<string, string>(); // owner module → the module its imported versions belong to
  let nulls = 0;
  const bad = (where: string, why: string): never => {
    throw new TableError('ERR_TABLE_INCONSISTENT', `${origin}: ${where}: ${why}`);
  };
  doc.forEach((mod, mi) => {
    mod.packages.forEach((pkg, pi) => {
      const f = importFiling(mod.module, pkg.package);
      if ((mod.module === 'std') !== (f.owner === 'std')) bad(`/${mi}/packages/${pi}`, `package ${pkg.package} cannot be filed under module ${mod.module}`);
      const other = keyedBy.get(f.owner);
      if (other !== undefined && other !== f.versionsOf) bad(`/${mi}/packages/${pi}`, `fields of ${f.owner} are keyed both by ${other}'s and by ${f.versionsOf}'s versions`);
      keyedBy.set(f.owner, f.versionsOf);
      for (const struct of pkg.structs) {
        for (const field of struct.fields) {
          const selector = `${pkg.package}.${struct.struct}.${field.field}`;
          const seen = filing.get(selector);
          if (seen) bad(selector, `listed under both ${seen.otelModule} and ${mod.module}`);
          filing.set(selector, { otelModule: f.otelModule, keying: f.keying, versionsOf: f.versionsOf });
          const versions = new Set<string>();
          for (const { offset, versions: list } of field.offsets) {
            for (const raw of list) {
              let canonical: string;
              try {
                canonical = fromOtelVersion(mod.module === 'std' ? 'std' : f.owner, raw).canonical;
              } catch (err) {
                if (!(err instanceof TableError)) throw err;
                throw new TableError(err.code, `${origin}: ${selector}: ${err.message}`);
              }
              if (versions.has(canonical)) bad(selector, `version ${raw} is listed twice`);
              versions.add(canonical);
              if (offset === null) nulls++;
              obs.push({
                module: f.owner,
                version: canonical,
                source: OTEL_SOURCE,
                arch: 'amd64',
                field: selector,
                result: offset === null ? { status: 'failed', error: 'null in OpenTelemetry\'s file' } : { status: 'ok', offset },
              });
            }
          }
        }
      }
    });
  });
  return { layout: 'otel', origin, table: buildTable(obs), filing, nulls };
}
