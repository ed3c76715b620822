import { GoOffsetsError } from '../../common/errors.js';

export type ModuleSourceErrorCode =
  | 'ERR_GOPROXY_OFF' // GOPROXY=off: listing versions is disabled
  | 'ERR_GOPROXY_SYNTAX' // a GOPROXY value that cannot be parsed
  | 'ERR_MODULE_NOT_FOUND' // every proxy answered 404/410 and no direct fallback
  | 'ERR_MODULE_LIST' // a proxy answered with an error or an unreadable list
  | 'ERR_NO_GIT_REPO' // `direct` without a git repository for the module
  | 'ERR_GIT' // git failed (clone, fetch, checkout)
  | 'ERR_MODULE_PATH' // a module path or version that cannot be escaped
  | 'ERR_VERSION'; // an invalid semver

export class ModuleSourceError extends GoOffsetsError {
  declare readonly code: ModuleSourceErrorCode;
  constructor(code: ModuleSourceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
