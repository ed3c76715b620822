import { GoOffsetsError } from '../../common/errors.js';

/** Stable codes of the Debian module source. */
export type DebianModuleErrorCode =
  | 'ERR_DEBIAN_MODULE_PACKAGE' // no Debian package provides a tracked module (by config or by the naming convention)
  | 'ERR_DEBIAN_MODULE_DEPENDS' // a Depends field that does not parse
  | 'ERR_DEBIAN_MODULE_IMPORT' // an import path of the probe that no chosen package's Depends can satisfy
  | 'ERR_DEBIAN_MODULE_TOOLCHAIN' // a suite whose default Go cannot be found
  | 'ERR_DEBIAN_MODULE_GO'; // a go command (list, build) that failed

export class DebianModuleError extends GoOffsetsError {
  declare readonly code: DebianModuleErrorCode;
  constructor(code: DebianModuleErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
