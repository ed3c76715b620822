import type { Command } from 'commander';
import { TableError } from '../../offsets/errors.js';
import type { TableAnswer } from '../../offsets/otel/answer.js';
import { EXIT_UNKNOWN, openTable, options, splitModuleArg, tableOption, write } from './table.js';

interface LookupOptions {
  go?: string;
  module?: string;
  policy?: string;
  arch?: string;
  table?: string;
  json?: boolean;
}

export function registerLookup(program: Command): void {
  const cmd = program
    .command('lookup')
    .description('Offset of one struct field for a Go version (std fields) or a module version (module fields)')
    .argument('<field>', 'field selector, e.g. net/http.Request.ctx')
    .option('--go <version>', 'Go version as a binary reports it: go1.21.5, 1.21.5, go1.22rc1, "go1.20.7 X:boringcrypto"')
    .option('--module <path@version>', "owning module and its version, for a module field: google.golang.org/grpc@v1.60.0 (in OpenTelemetry's table, the module a field follows, when it follows one)")
    .option('--policy <policy>', 'for a version that was not scanned: exact, range, stable or nearest', 'range')
    .option('--arch <arch>', 'amd64 or arm64', 'amd64')
    .option('--json', 'print the answer as one JSON object');
  tableOption(cmd)
    .addHelpText('after', `\nExit status: 0 scanned, inferred or absent; ${EXIT_UNKNOWN} unknown or no value (a null in OpenTelemetry's table); 1 bad input or table.`)
    .action(async (field: string, opts: LookupOptions) => {
      const { policy, arch } = await options(opts);
      const loaded = await openTable(opts.table);
      const [{ owningModule }, { fieldFiling }, { lookupIn }] = await Promise.all([
        import('../../offsets/report.js'),
        import('../../offsets/loaded-table.js'),
        import('../../offsets/otel/answer.js'),
      ]);
      // The module whose version a lookup of the field takes: its owner, or the module OpenTelemetry keys it by.
      const moduleToGive = (owner: string | undefined): string | undefined =>
        owner === undefined || loaded.layout !== 'otel' ? owner : fieldFiling(loaded, field, owner).versionsOf;
      const table = loaded.table;
      const owner = owningModule(table, field);
      let result: TableAnswer;
      if (owner === 'std' || opts.module === undefined) {
        if (opts.module !== undefined) throw new TableError('ERR_BAD_USAGE', `${field} is a standard library field: use --go, not --module`);
        if (owner !== undefined && owner !== 'std') throw new TableError('ERR_BAD_USAGE', `${field} belongs to module ${owner}: give --module ${moduleToGive(owner)}@VERSION`);
        result = lookupIn(loaded, { field, go: opts.go, arch, policy });
      } else {
        const mod = splitModuleArg(opts.module);
        const keyedBy = moduleToGive(owner);
        if (owner !== undefined && mod.path !== keyedBy) {
          if (keyedBy !== owner) {
            throw new TableError('ERR_BAD_USAGE', `${field} belongs to module ${owner}, but this table keys its offsets by ${keyedBy}'s version (OpenTelemetry files it under ${keyedBy}): give --module ${keyedBy}@VERSION`);
          }
          throw new TableError('ERR_UNKNOWN_MODULE', `${field} belongs to module ${owner}, not ${mod.path}`);
        }
        result = lookupIn(loaded, { field, moduleVersion: mod.version, arch, policy });
      }
      write(opts.json ? JSON.stringify(asJson(result, opts)) : asText(result));
      if (result.status === 'unknown' || result.status === 'no-value') process.exitCode = EXIT_UNKNOWN;
    });
}

function asJson(r: TableAnswer, opts: LookupOptions): Record<string, unknown> {
  const where = r.module === 'std' ? { go: opts.go } : { module: r.module, version: r.version };
  return {
    field: r.field,
    ...where,
    arch: r.arch,
    offset: r.offset,
    status: r.status,
    policy: r.policy,
    ...(r.basis ? { basis: r.basis } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.otel ? { otel: { filedUnder: r.otel.otelModule, keying: r.otel.keying, versionsOf: r.otel.versionsOf } } : {}),
  };
}

function asText(r: TableAnswer): string {
  // A field that follows another module's version is asked and answered by that module's version.
  const keyedBy = r.otel?.keying === 'follows' ? r.otel.versionsOf : r.module;
  const head = `${r.field} ${r.module === 'std' ? '' : keyedBy + '@'}${r.version} ${r.arch}`;
  const answer = r.status === 'absent' ? 'absent' : r.status === 'unknown' ? 'unknown' : r.status === 'no-value' ? "no value (null in OpenTelemetry's table)" : String(r.offset);
  const how = r.status === 'inferred' || (r.status === 'absent' && r.basis) ? `inferred under policy ${r.policy}` : 'scanned';
  const detail = r.status === 'unknown' || r.status === 'no-value' ? '' : ` (${how})`;
  return `${head}: ${answer}${detail}${r.message ? `\n  ${r.message}` : ''}${r.otel ? `\n  ${r.otel.note}` : ''}`;
}
