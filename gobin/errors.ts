import { GoOffsetsError } from '../common/errors.js';

/**
 * Stable codes for everything that can be wrong with a binary. The message
 * names the file, section and offset where the problem was found.
 */
export type GobinErrorCode =
  | 'ERR_NOT_ELF' // no ELF magic
  | 'ERR_ELF_UNSUPPORTED' // ELF, but not 64-bit little-endian
  | 'ERR_TRUNCATED' // a read ran past the end of the file or a section
  | 'ERR_ELF_MALFORMED' // inconsistent headers
  | 'ERR_NOT_GO' // a valid ELF that has no Go runtime tables
  | 'ERR_NO_DWARF' // no .debug_info / .zdebug_info
  | 'ERR_DWARF_MALFORMED'
  | 'ERR_DWARF_UNSUPPORTED'
  | 'ERR_DECOMPRESS' // a compressed section does not inflate
  | 'ERR_DECOMPRESS_LIMIT' // a compressed section inflates past its declared or allowed size
  | 'ERR_NO_BUILDINFO'
  | 'ERR_BUILDINFO_MALFORMED'
  | 'ERR_NO_PCLNTAB'
  | 'ERR_PCLNTAB_MALFORMED'
  | 'ERR_PCLNTAB_UNSUPPORTED'
  | 'ERR_ADDRESS' // an address outside every loaded segment
  | 'ERR_DECODE' // instruction decoding failed
  | 'ERR_NO_TYPES' // no runtime module data to find the type descriptors from
  | 'ERR_TYPES_MALFORMED' // a type descriptor, name or link that cannot be what the runtime wrote
  | 'ERR_TYPES_UNSUPPORTED' // a Go version whose descriptor layout this reader does not know
  | 'ERR_BAD_SELECTOR'; // a `pkgpath.Type.field` selector that is not of that form

export class GobinError extends GoOffsetsError {
  declare readonly code: GobinErrorCode;
  readonly where?: { section?: string; offset?: number };
  constructor(code: GobinErrorCode, message: string, where?: { section?: string; offset?: number }, options?: { cause?: unknown }) {
    const loc = where ? ` (${[where.section, where.offset !== undefined ? `offset 0x${where.offset.toString(16)}` : undefined].filter(Boolean).join(', ')})` : '';
    super(code, message + loc, options);
    this.where = where;
  }
}
