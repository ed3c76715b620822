import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A node:http server on 127.0.0.1 with a random port, for tests. */
export interface TestServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Every request path (with query) in arrival order, plus the Range header if any. */
  requests: { path: string; range?: string }[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range });
    Promise.resolve(handler(req, res)).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (the port of a server that was just closed). */
export async function unreachableUrl(): Promise<string> {
  const s = await startServer((_q, r) => void r.end());
  await s.close();
  return s.url;
}

export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Serves a file with Range support (like a CDN). With `dropAfterBytes`, the
 * connection is destroyed after that many body bytes: a dropped download.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, opts: { dropAfterBytes?: number } = {}): Promise<void> {
  const { size } = await stat(path);
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(Number(range[2]), size - 1);
    if (start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' });
  } else {
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' });
  }
  const drop = opts.dropAfterBytes;
  const lastByte = drop !== undefined ? Math.min(end, start + drop - 1) : end;
  const stream = createReadStream(path, { start, end: lastByte });
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.pipe(res, { end: drop === undefined });
  });
  // Give the bytes a moment to leave, then cut the connection mid-body.
  if (drop !== undefined) setTimeout(() => res.socket?.destroy(), 20);
}
