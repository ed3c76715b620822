import type { Command } from 'commander';
import { TableError } from '../../offsets/errors.js';
import { lookup, owningModule, type LookupResult } from '../../offsets/index.js';
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
    .option('--module <path@version>', 'owning module and its version, for a module field: google.golang.org/grpc@v1.60.0')
    .option('--policy <policy>', 'for a version that was not scanned: exact, range, stable or nearest', 'range')
    .option('--arch <arch>', 'amd64 or arm64', 'amd64')
    .option('--json', 'print the answer as one JSON object');
  tableOption(cmd)
    .addHelpText('after', `\nExit status: 0 scanned, inferred or absent; ${EXIT_UNKNOWN} unknown; 1 bad input or table.`)
    .action(async (field: string, opts: LookupOptions) => {
      const { policy, arch } = options(opts);
      const table = await openTable(opts.table);
      const owner = owningModule(table, field);
      let result: LookupResult;
      if (owner === 'std' || opts.module === undefined) {
        if (opts.module !== undefined) throw new TableError('ERR_BAD_USAGE', `${field} is a standard library field: use --go, not --module`);
        if (owner !== undefined && owner !== 'std') throw new TableError('ERR_BAD_USAGE', `${field} belongs to module ${owner}: give --module ${owner}@VERSION`);
        result = lookup(table, { field, go: opts.go, arch, policy });
      } else {
        const mod = splitModuleArg(opts.module);
        if (owner !== undefined && mod.path !== owner) throw new TableError('ERR_UNKNOWN_MODULE', `${field} belongs to module ${owner}, not ${mod.path}`);
        result = lookup(table, { field, moduleVersion: mod.version, arch, policy });
      }
      write(opts.json ? JSON.stringify(asJson(result, opts)) : asText(result));
      if (result.status === 'unknown') process.exitCode = EXIT_UNKNOWN;
    });
}

function asJson(r: LookupResult, opts: LookupOptions): Record<string, unknown> {
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
  };
}

function asText(r: LookupResult): string {
  const head = `${r.field} ${r.module === 'std' ? '' : r.module + '@'}${r.version} ${r.arch}`;
  const answer = r.status === 'absent' ? 'absent' : r.status === 'unknown' ? 'unknown' : String(r.offset);
  const how = r.status === 'inferred' || (r.status === 'absent' && r.basis) ? `inferred under policy ${r.policy}` : 'scanned';
  const detail = r.status === 'unknown' ? '' : ` (${how})`;
  return `${head}: ${answer}${detail}${r.message ? `\n  ${r.message}` : ''}`;
}
