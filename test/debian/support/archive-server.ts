// A Debian-archive-shaped HTTP server on 127.0.0.1 for fault tests: it serves
// whatever the test puts in `files`, and lets a test make a path misbehave
// (drop the connection mid-body, answer 5xx) a given number of times.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Fault = 'drop-mid-body' | '503';

export interface ArchiveServer {
  url: string;
  files: Map<string, Buffer>;
  /** Faults to inject, consumed one per request to that path. */
  faults: Map<string, Fault[]>;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startArchiveServer(): Promise<ArchiveServer> {
  const files = new Map<string, Buffer>();
  const faults = new Map<string, Fault[]>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const fault = faults.get(path)?.shift();
    const body = files.get(path);
    if (fault === '503') {
      res.writeHead(503).end('busy');
      return;
    }
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    if (fault === 'drop-mid-body') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/debian`,
    files,
    faults,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface FakePackage {
  name: string;
  version: string;
  arch: string;
  deb: Buffer;
  /** Lie about the checksum in the index. */
  sha256?: string;
  extra?: string;
}

/**
 * Publishes a suite on the server: the .debs under pool/, a Packages.gz listing
 * them, and an (unsigned) InRelease listing the Packages.gz. Returns the index text.
 */
export function publishSuite(srv: ArchiveServer, suite: string, pkgs: FakePackage[], opts: { packagesText?: string; releaseSha?: string } = {}): string {
  const stanzas = pkgs.map((p) => {
    const filename = `pool/main/f/${p.name}/${p.name}_${p.version}_${p.arch}.deb`;
    srv.files.set(`/debian/${filename}`, p.deb);
    return [
      `Package: ${p.name}`,
      `Version: ${p.version}`,
      `Architecture: ${p.arch}`,
      ...(p.extra ? [p.extra] : []),
      `Filename: ${filename}`,
      `Size: ${p.deb.length}`,
      `SHA256: ${p.sha256 ?? sha256(p.deb)}`,
      'Description: test package',
      ' with a continuation line',
    ].join('\n');
  });
  const text = opts.packagesText ?? `${stanzas.join('\n\n')}\n`;
  const gz = gzipSync(Buffer.from(text));
  srv.files.set(`/debian/dists/${suite}/main/binary-amd64/Packages.gz`, gz);
  const release = [`Suite: ${suite}`, `Codename: ${suite}`, 'SHA256:', ` ${opts.releaseSha ?? sha256(gz)} ${gz.length} main/binary-amd64/Packages.gz`, ''].join('\n');
  srv.files.set(`/debian/dists/${suite}/InRelease`, Buffer.from(release));
  return text;
}
