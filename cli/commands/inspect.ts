import type { Command } from 'commander';
import { GoBinary, type GoFunction } from '../../gobin/binary.js';
import { GoOffsetsError } from '../../common/errors.js';
import type { ModuleInfo } from '../../gobin/buildinfo.js';

/** `offsets inspect BINARY --json`: what a binary is (the contract tests and tools rely on). */
export interface InspectSummary {
  goVersion: string;
  arch: string;
  pie: boolean;
  /** No symbol table and no DWARF (what -ldflags "-s -w" gives). */
  stripped: boolean;
  main: { path: string; version: string } | null;
  modules: Array<{ path: string; version: string; sum: string; replace: ModuleInfo | null }>;
  settings: Record<string, string>;
}

/** `offsets inspect BINARY --funcs REGEXP --json`: where to attach uprobes. */
export interface InspectFunctions {
  functions: Array<{ name: string; entry: string; fileOffset: number; returns: number[] }>;
}

export interface InspectOptions {
  funcs?: RegExp;
}

export type InspectReport = InspectSummary | InspectFunctions;

/**
 * Builds the report `inspect` prints. This is the seam for other parts: wrap
 * or extend the object it returns (e.g. with offsets-table results) before it
 * is rendered.
 */
export function buildInspectReport(bin: GoBinary, opts: InspectOptions = {}): InspectReport {
  if (opts.funcs) {
    return {
      functions: bin.findFunctions(opts.funcs).map((f: GoFunction) => ({
        name: f.name,
        entry: `0x${f.entry.toString(16)}`,
        fileOffset: f.fileOffset,
        returns: bin.returnSites(f),
      })),
    };
  }
  const bi = bin.buildInfo();
  bin.functions(); // a binary whose function table is unreadable is not inspectable
  return {
    goVersion: bi.goVersion,
    arch: bin.arch,
    pie: bin.pie,
    stripped: bin.stripped,
    main: bi.main ? { path: bi.main.path, version: bi.main.version } : null,
    modules: bi.modules.map((m) => ({ path: m.path, version: m.version, sum: m.sum, replace: m.replace })),
    settings: bi.settings,
  };
}

export function renderInspectText(report: InspectReport): string {
  if ('functions' in report) {
    if (report.functions.length === 0) return 'no matching functions\n';
    return report.functions.map((f) => `${f.name}\n  entry ${f.entry}  file offset 0x${f.fileOffset.toString(16)}\n  returns ${f.returns.map((r) => `0x${r.toString(16)}`).join(' ') || '(none)'}\n`).join('');
  }
  const lines = [
    `Go version  ${report.goVersion}`,
    `arch        ${report.arch}${report.pie ? ' (PIE)' : ''}`,
    `stripped    ${report.stripped ? 'yes (no symbol table, no DWARF)' : 'no'}`,
    `main        ${report.main ? `${report.main.path} ${report.main.version}` : '(none)'}`,
  ];
  if (report.modules.length) {
    lines.push('modules');
    for (const m of report.modules) lines.push(`  ${m.path} ${m.version}${m.replace ? ` => ${m.replace.path} ${m.replace.version}` : ''}`);
  }
  const keys = Object.keys(report.settings);
  if (keys.length) {
    lines.push('build settings');
    for (const k of keys) lines.push(`  ${k}=${report.settings[k]}`);
  }
  return lines.join('\n') + '\n';
}

function parsePattern(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch (err) {
    throw new GoOffsetsError('ERR_BAD_PATTERN', `--funcs: invalid regular expression ${JSON.stringify(src)}: ${(err as Error).message}`);
  }
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('read a Go binary (stripped or not): Go version, modules, build settings; or functions with their uprobe offsets')
    .argument('<binary>', 'path of a Go ELF executable (amd64 or arm64)')
    .option('--funcs <regexp>', 'list functions whose name matches, with entry address, file offset and return-instruction offsets')
    .option('--json', 'print JSON')
    .action(async (binary: string, opts: { funcs?: string; json?: boolean }) => {
      const bin = await GoBinary.open(binary);
      const report = buildInspectReport(bin, { funcs: opts.funcs !== undefined ? parsePattern(opts.funcs) : undefined });
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderInspectText(report));
    });
}
