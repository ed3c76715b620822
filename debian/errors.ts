import { GoOffsetsError } from '../common/errors.js';

/** Stable codes for what can go wrong talking to a Debian archive or unpacking its packages. */
export type DebianErrorCode =
  | 'ERR_DEBIAN_NO_MIRROR' // no `debian` archive entry in the apt configuration and no override
  | 'ERR_DEBIAN_UNREACHABLE' // connection refused, reset or timed out, after all retries
  | 'ERR_DEBIAN_NOT_FOUND' // HTTP 404 (or 410)
  | 'ERR_DEBIAN_HTTP' // any other non-2xx status, after retries for 5xx
  | 'ERR_DEBIAN_CHECKSUM' // a download does not match the sha256 or size the archive promised
  | 'ERR_DEBIAN_SIGNATURE' // InRelease whose OpenPGP signature gpgv does not accept with the given keyring
  | 'ERR_DEBIAN_RELEASE_MALFORMED' // InRelease/Release unparsable or lacking the wanted index
  | 'ERR_DEBIAN_INDEX_MALFORMED' // a Packages index that does not parse
  | 'ERR_DEBIAN_DECOMPRESS' // an xz/gzip stream that does not inflate
  | 'ERR_DEBIAN_DEB_TRUNCATED' // a .deb shorter than its ar headers say
  | 'ERR_DEBIAN_DEB_MALFORMED' // not an ar archive, or no data.tar member
  | 'ERR_DEBIAN_UNSAFE_PATH' // an archive entry (or symlink target) that escapes the extraction root
  | 'ERR_DEBIAN_NO_PACKAGE' // a package the caller asked for is not in any index
  | 'ERR_DEBIAN_GO_VERSION' // a golang-1.N-go package version that maps to no Go version
  | 'ERR_DEBIAN_MODULE_VERSION' // a Debian version that maps to no Go module version
  | 'ERR_DEBIAN_TOOLCHAIN'; // an assembled GOROOT that is incomplete or whose go does not run

export class DebianError extends GoOffsetsError {
  declare readonly code: DebianErrorCode;
  /** URL or path the problem was found at. */
  readonly where?: string;
  constructor(code: DebianErrorCode, message: string, where?: string, options?: { cause?: unknown }) {
    super(code, where ? `${message} (${where})` : message, options);
    this.where = where;
  }
}
