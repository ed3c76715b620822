import { belongsTo } from '../build.js';

/**
 * How OpenTelemetry files a field, against the module that owns its package:
 * - `owner`: under its owning module, keyed by that module's version (the usual case);
 * - `same-version`: under another module released together with the owner under the
 *   same version numbers (`go.opentelemetry.io/otel/trace` under `go.opentelemetry.io/otel`),
 *   so the version numbers carry over;
 * - `follows`: under another module whose version chose the offsets: the offsets are
 *   those of whatever owner version that module's version required
 *   (genproto's `rpc/status` under `google.golang.org/grpc`), not of the owner's own versions.
 */
export type Keying = 'owner' | 'same-version' | 'follows';

export interface FieldFiling {
  /** The module OpenTelemetry's file lists the field under. */
  otelModule: string;
  keying: Keying;
  /** The module whose versions the field's offsets are keyed by. */
  versionsOf: string;
}

/** The fields OpenTelemetry files under a module other than their owner (docs/table.md). */
export const OTEL_FILINGS: readonly { owner: string; otelModule: string; keying: Exclude<Keying, 'owner'> }[] = [
  { owner: 'go.opentelemetry.io/otel/trace', otelModule: 'go.opentelemetry.io/otel', keying: 'same-version' },
  { owner: 'google.golang.org/genproto/googleapis/rpc', otelModule: 'google.golang.org/grpc', keying: 'follows' },
];

/**
 * On import: the owning module of a package OpenTelemetry files under
 * `otelModule`, and how its offsets are keyed. A package that is not part
 * of `otelModule` and that no rule names is owned by a module we cannot
 * know: it is named by its package path, keyed by `otelModule`'s version.
 */
export function importFiling(otelModule: string, pkg: string): FieldFiling & { owner: string } {
  const rule = OTEL_FILINGS.find((r) => r.otelModule === otelModule && belongsTo(pkg, r.owner));
  if (rule) return { owner: rule.owner, otelModule, keying: rule.keying, versionsOf: rule.keying === 'follows' ? otelModule : rule.owner };
  if (belongsTo(pkg, otelModule)) return { owner: otelModule, otelModule, keying: 'owner', versionsOf: otelModule };
  return { owner: pkg, otelModule, keying: 'follows', versionsOf: otelModule };
}

/**
 * On export from our own table (fields keyed by their owner's versions): where
 * OpenTelemetry looks for a field of `owner`. A `follows` rule cannot be met
 * from the owner's own versions (the export leaves such fields out).
 */
export function ownerFiling(owner: string): FieldFiling {
  const rule = OTEL_FILINGS.find((r) => r.owner === owner);
  if (rule) return { otelModule: rule.otelModule, keying: rule.keying, versionsOf: owner };
  return { otelModule: owner, keying: 'owner', versionsOf: owner };
}
