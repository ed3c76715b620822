import { GoOffsetsError } from '../common/errors.js';

/** Stable codes for everything that can be wrong with a table, a version or a query. */
export type TableErrorCode =
  | 'ERR_TABLE_READ' // the table file cannot be read
  | 'ERR_TABLE_JSON' // the file is not JSON (corrupt, truncated)
  | 'ERR_TABLE_FORMAT' // not a go-offsets table, or another format version
  | 'ERR_TABLE_SCHEMA' // JSON that violates offsets/table.schema.json
  | 'ERR_TABLE_INCONSISTENT' // schema-valid, but runs name unknown versions, overlap or are out of order
  | 'ERR_TABLE_CONFLICT' // two observations disagree about the same (module, version, arch, field)
  | 'ERR_BAD_OBSERVATION' // an observation the table cannot hold
  | 'ERR_BAD_GO_VERSION'
  | 'ERR_BAD_MODULE_VERSION'
  | 'ERR_BAD_POLICY'
  | 'ERR_BAD_ARCH'
  | 'ERR_BAD_USAGE' // a command given the wrong combination of options
  | 'ERR_UNKNOWN_FIELD' // no such field in the table
  | 'ERR_UNKNOWN_MODULE'; // no such module in the table

export class TableError extends GoOffsetsError {
  declare readonly code: TableErrorCode;
  constructor(code: TableErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
