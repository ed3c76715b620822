import { goArchive, hostGoArch, type GoArchive } from './go-archives.js';
import { sendFile, sendText, startServer, type TestServer } from './http-server.js';

/** Faults the server can inject, for the tracker's fault tests. */
export interface GoDevFaults {
  /** Serve this text as the index instead of the real JSON. */
  index?: string;
  /** Answer the index request with this HTTP status. */
  indexStatus?: number;
  /** Advertise a wrong sha256 for these filenames (the bytes are the real ones). */
  wrongSha256?: string[];
  /** Cut the connection after `afterBytes` body bytes, the first `times` times any archive is requested. */
  dropMidway?: { afterBytes: number; times: number };
  /** Filenames that are listed in the index but answer 404. */
  missing?: string[];
}

export interface GoDevServer extends TestServer {
  archives: GoArchive[];
  /** The index exactly as served (unless faults.index replaces it). */
  index: unknown[];
}

export interface GoDevToolchain {
  goroot: string;
}

/**
 * A server with the go.dev/dl layout: `/?mode=json&include=all` is the release
 * index, `/<filename>` the archives. Each toolchain becomes a release with a
 * host archive built from the real GOROOT (cached), plus a source tarball
 * entry and a darwin entry that point nowhere, as on go.dev. With
 * `extraReleases`, more index entries (e.g. a prerelease) can be listed.
 */
export async function startGoDevServer(opts: { toolchains: GoDevToolchain[]; faults?: GoDevFaults; extraReleases?: unknown[] }): Promise<GoDevServer> {
  const faults = opts.faults ?? {};
  const archives: GoArchive[] = [];
  for (const tc of opts.toolchains) archives.push(await goArchive(tc.goroot));
  const byName = new Map(archives.map((a) => [a.filename, a]));
  const index: unknown[] = archives.map((a) => ({
    version: a.version,
    stable: !/(rc|beta)\d+$/.test(a.version),
    files: [
      { filename: `${a.version}.src.tar.gz`, os: '', arch: '', version: a.version, sha256: '0'.repeat(64), size: 1, kind: 'source' },
      { filename: `${a.version}.darwin-arm64.tar.gz`, os: 'darwin', arch: 'arm64', version: a.version, sha256: '0'.repeat(64), size: 1, kind: 'archive' },
      {
        filename: a.filename,
        os: 'linux',
        arch: hostGoArch(),
        version: a.version,
        sha256: faults.wrongSha256?.includes(a.filename) ? 'f'.repeat(64) : a.sha256,
        size: a.size,
        kind: 'archive',
      },
    ],
  }));
  index.push(...(opts.extraReleases ?? []));
  let drops = faults.dropMidway?.times ?? 0;

  const server = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '') {
      if (url.searchParams.get('mode') !== 'json') return sendText(res, 200, '<html>downloads</html>', 'text/html');
      if (faults.indexStatus) return sendText(res, faults.indexStatus, 'index unavailable');
      return sendText(res, 200, faults.index ?? JSON.stringify(index), 'application/json');
    }
    const name = decodeURIComponent(url.pathname.slice(1));
    const archive = byName.get(name);
    if (!archive || faults.missing?.includes(name)) return sendText(res, 404, 'Not Found');
    if (drops > 0 && faults.dropMidway) {
      drops--;
      return sendFile(req, res, archive.path, { dropAfterBytes: faults.dropMidway.afterBytes });
    }
    return sendFile(req, res, archive.path);
  });
  return { ...server, archives, index };
}
