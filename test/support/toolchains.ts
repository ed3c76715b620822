// API stub: the Debian engineer replaces this with the real matrix (every golang-1.N-go the archive offers).
export interface Toolchain {
  /** Exact version from GOROOT/VERSION, e.g. `go1.21.13`. */
  version: string;
  /** Minor line, e.g. `1.21`. */
  minor: string;
  /** Debian suite it came from. */
  suite: string;
  goroot: string;
  /** Path of bin/go. */
  go: string;
}

/** Every toolchain of the test matrix, fetched and cached on first use. Stub: the apt-installed Go 1.19 only. */
export async function matrixToolchains(): Promise<Toolchain[]> {
  return [{ version: 'go1.19.8', minor: '1.19', suite: 'bookworm', goroot: '/usr/lib/go-1.19', go: '/usr/lib/go-1.19/bin/go' }];
}

/** Environment for running a toolchain's `go` without touching the network or the user's caches. */
export function goEnv(tc: Toolchain, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOROOT: tc.goroot, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOPROXY: 'off', GOSUMDB: 'off', ...extra };
}
