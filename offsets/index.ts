/**
 * The offsets table: build it from observations (tracker), load and validate
 * it, merge shards, and look fields up (agent, CLI, inspect).
 * Format and usage: docs/table.md; schema: offsets/table.schema.json.
 */
export { buildTable, belongsTo } from './build.js';
export { mergeTables, serializeTable, tableObservations, scannedVersions, tableModules, requireModule } from './expand.js';
export { parseTable, loadTable } from './load.js';
export { lookup, checkPolicy, checkArch, POLICIES } from './lookup.js';
export type { LookupPolicy, LookupStatus, LookupQuery, LookupResult } from './lookup.js';
export { tableReport, owningModule, lookupForBinary, moduleVersionIn } from './report.js';
export type { BinaryModule, BinaryDescription, TableReport } from './report.js';
export { fieldHistory, diffVersions } from './history.js';
export type { HistoryRow, FieldDifference } from './history.js';
export { TABLE_FORMAT, TABLE_FORMAT_VERSION, ARCHS } from './format.js';
export type { OffsetsTable, ModuleEntry, FieldEntry, Run, RunValue } from './format.js';
export { TableError, type TableErrorCode } from './errors.js';
export { parseGoVersion, compareGoVersions, canonicalGoVersion, type GoVersion } from './go-version.js';
export { parseModuleVersion, compareModuleVersions, type ModuleVersion } from './module-version.js';
export { defaultTablePath } from '../common/package-root.js';
