import { TableError } from './errors.js';
import type { OffsetsTable } from './format.js';
import { checkTable, parseJsonText, readTableText } from './load.js';
import { importOtel } from './otel/import.js';
import { ownerFiling, type FieldFiling } from './otel/keying.js';
import { checkOtelLayout } from './otel/layout.js';

/**
 * A table as the CLI reads it: our own format, or OpenTelemetry's offsets
 * file converted in memory (offsets/otel/import.ts). Everything answers from
 * `table` with the same policies; `filing` says where OpenTelemetry files a
 * field, and in an imported table a failed run is one of OpenTelemetry's nulls.
 */
export interface LoadedTable {
  layout: 'go-offsets' | 'otel';
  /** The file, for messages. */
  origin: string;
  table: OffsetsTable;
  /** Imported tables: each field's filing in OpenTelemetry's file. Empty for our own format. */
  filing: Map<string, FieldFiling>;
  /** Imported tables: how many (field, version) entries were null. */
  nulls: number;
}

export const LAYOUT_NAMES: Record<LoadedTable['layout'], string> = { 'go-offsets': 'go-offsets table', otel: "OpenTelemetry's offsets layout" };

/**
 * Parses a table in either layout, detected from the document: an object is
 * our format (checked as parseTable does, unless `validated`: a table checked
 * when the package was built, offsets/packaged-table.ts), an array is
 * OpenTelemetry's. Anything else is ERR_TABLE_FORMAT.
 */
export function parseAnyTable(text: string, origin = 'table', { validated = false } = {}): LoadedTable {
  const doc = parseJsonText(text, origin);
  if (Array.isArray(doc)) return importOtel(checkOtelLayout(doc, origin), origin);
  if (typeof doc === 'object' && doc !== null && 'format' in doc) {
    return { layout: 'go-offsets', origin, table: validated ? (doc as OffsetsTable) : checkTable(doc, origin), filing: new Map(), nulls: 0 };
  }
  throw new TableError('ERR_TABLE_FORMAT', `${origin}: neither a go-offsets table (an object with "format") nor OpenTelemetry's offsets layout (a list of modules)`);
}

export async function loadAnyTable(path: string): Promise<LoadedTable> {
  return parseAnyTable(await readTableText(path), path);
}

/** Where OpenTelemetry files a field of `owner`, and by which module's versions its offsets here are keyed. */
export function fieldFiling(loaded: LoadedTable, field: string, owner: string): FieldFiling {
  return loaded.filing.get(field) ?? ownerFiling(owner);
}
