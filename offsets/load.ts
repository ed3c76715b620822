import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { fileStamp } from '../common/file-stamp.js';
import { TableError } from './errors.js';
import { TABLE_FORMAT, TABLE_FORMAT_VERSION, type OffsetsTable } from './format.js';
import { tableModel } from './model.js';
import { validate as generatedValidate } from './table-validator.generated.js';

/** offsets/table.schema.json, compiled ahead of time (offsets/generate-validator.ts). */
const validator = generatedValidate as unknown as ((doc: unknown) => boolean) & { errors?: ErrorObject[] | null };

function validate(doc: unknown): doc is OffsetsTable {
  return validator(doc);
}

/** Parses JSON text, or ERR_TABLE_JSON naming `origin`. */
export function parseJsonText(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TableError('ERR_TABLE_JSON', `${origin}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Parses and validates a table: JSON, then format and format version, then
 * the JSON Schema, then consistency (versions ordered, runs within them).
 * `origin` names the file in error messages.
 */
export function parseTable(text: string, origin = 'table'): OffsetsTable {
  return checkTable(parseJsonText(text, origin), origin);
}

/** parseTable's checks on an already parsed document. */
export function checkTable(doc: unknown, origin = 'table'): OffsetsTable {
  const head = doc as { format?: unknown; formatVersion?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== TABLE_FORMAT) {
    throw new TableError('ERR_TABLE_FORMAT', `${origin}: not a go-offsets table (no "format": "${TABLE_FORMAT}")`);
  }
  if (head.formatVersion !== TABLE_FORMAT_VERSION) {
    throw new TableError(
      'ERR_TABLE_FORMAT',
      `${origin}: table format version ${JSON.stringify(head.formatVersion)}, this build reads version ${TABLE_FORMAT_VERSION}`,
    );
  }
  if (!validate(doc)) {
    const e = validator.errors?.[0];
    throw new TableError('ERR_TABLE_SCHEMA', `${origin}: violates the table schema at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}`);
  }
  try {
    tableModel(doc);
  } catch (err) {
    if (err instanceof TableError) throw new TableError(err.code, `${origin}: ${err.message}`);
    throw err;
  }
  return doc;
}

/**
 * The text of a table file and the stamp of what was read (common/file-stamp.ts),
 * or ERR_TABLE_READ. Read in one call: a table is tens of kilobytes.
 */
export function readTableFile(path: string): { text: string; stamp: string } {
  try {
    const fd = openSync(path, 'r');
    try {
      return { stamp: fileStamp(fstatSync(fd)), text: readFileSync(fd, 'utf8') };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new TableError('ERR_TABLE_READ', `cannot read table ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** The text of a table file, or ERR_TABLE_READ. */
export async function readTableText(path: string): Promise<string> {
  return readTableFile(path).text;
}

export async function loadTable(path: string): Promise<OffsetsTable> {
  return parseTable(await readTableText(path), path);
}
