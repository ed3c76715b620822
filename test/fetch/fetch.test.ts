import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, downloadPath, httpGetText } from '../../fetch/index.js';
import { extractTar } from '../../tracker/fetch/extract.js';
import { sendText, startServer, unreachableUrl, type TestServer } from '../support/servers/index.js';

const http = { minBackoffMs: 10, maxBackoffMs: 40, maxRetries: 3, connectTimeoutMs: 2000, idleTimeoutMs: 2000 };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const tree = async (dir: string) => (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String).sort();

let scratch: string;
const servers: TestServer[] = [];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'go-offsets-fetch-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A server whose first `failures` answers are `status` (or a reset connection when status is 0), then `body`. */
async function flaky(failures: number, status: number, body = 'payload'): Promise<TestServer> {
  let left = failures;
  const s = await startServer((req, res) => {
    if (left-- > 0) {
      if (status === 0) return void req.socket.destroy();
      return sendText(res, status, 'nope');
    }
    sendText(res, 200, body);
  });
  servers.push(s);
  return s;
}

describe('http', () => {
  it('retries 5xx and a reset connection, then succeeds', async () => {
    const s5 = await flaky(2, 503);
    expect(await httpGetText(`${s5.url}/x`, http)).toBe('payload');
    expect(s5.requests).toHaveLength(3);
    const reset = await flaky(2, 0);
    expect(await httpGetText(`${reset.url}/x`, http)).toBe('payload');
    expect(reset.requests).toHaveLength(3);
  });

  it('gives up on persistent 5xx with the status, and never retries 4xx', async () => {
    const s5 = await flaky(100, 502);
    await expect(httpGetText(`${s5.url}/x`, http)).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS', status: 502 });
    expect(s5.requests).toHaveLength(http.maxRetries + 1);
    const s4 = await flaky(100, 403);
    await expect(httpGetText(`${s4.url}/x`, http)).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS', status: 403, message: expect.stringContaining(`${s4.url}/x`) });
    expect(s4.requests).toHaveLength(1);
  });

  it('reports a refused connection as a network error naming the URL', async () => {
    const down = await unreachableUrl();
    await expect(httpGetText(`${down}/x`, http)).rejects.toMatchObject({ code: 'ERR_NETWORK', message: expect.stringMatching(/ECONNREFUSED.*127\.0\.0\.1/) });
  });

  it('times out a server that never answers', async () => {
    const s = await startServer(() => undefined); // accepts, never responds
    servers.push(s);
    await expect(httpGetText(`${s.url}/x`, { ...http, idleTimeoutMs: 200, maxRetries: 1 })).rejects.toMatchObject({ code: 'ERR_NETWORK', message: expect.stringContaining('UND_ERR_HEADERS_TIMEOUT') });
    expect(s.requests).toHaveLength(2);
  });
});

describe('download', () => {
  it('stores a verified file under its sha256 and reuses it without a request', async () => {
    const s = await flaky(0, 200, 'hello go');
    const cacheDir = join(scratch, 'dl-ok');
    const path = await download(`${s.url}/f`, { ...http, sha256: sha('hello go'), size: 8, cacheDir });
    expect(path).toBe(downloadPath(sha('hello go'), cacheDir));
    expect(await readFile(path, 'utf8')).toBe('hello go');
    await download(`${s.url}/f`, { ...http, sha256: sha('hello go'), cacheDir });
    expect(s.requests).toHaveLength(1);
  });

  it('refuses a wrong size or digest and leaves no file behind', async () => {
    const s = await flaky(0, 200, 'hello go');
    const cacheDir = join(scratch, 'dl-bad');
    await expect(download(`${s.url}/f`, { ...http, sha256: sha('hello go'), size: 9, cacheDir })).rejects.toMatchObject({ code: 'ERR_CHECKSUM', message: expect.stringContaining('size mismatch') });
    await expect(download(`${s.url}/f`, { ...http, sha256: sha('other'), cacheDir })).rejects.toMatchObject({ code: 'ERR_CHECKSUM' });
    await expect(download(`${s.url}/f`, { ...http, sha256: 'xyz', cacheDir })).rejects.toMatchObject({ code: 'ERR_CHECKSUM' });
    expect(await tree(join(cacheDir, 'downloads'))).toEqual(['sha256', 'tmp']);
  });
});

describe('extractTar', () => {
  async function archive(name: string, build: (root: string) => Promise<void>): Promise<string> {
    const root = join(scratch, `src-${name}`);
    await mkdir(root, { recursive: true });
    await build(root);
    const file = join(scratch, `${name}.tar.gz`);
    await tar.c({ file, cwd: root, gzip: true, preservePaths: true, portable: true }, await readdir(root));
    return file;
  }

  it('unpacks into place, keeping symlinks that stay inside', async () => {
    const file = await archive('good', async (r) => {
      await mkdir(join(r, 'go', 'bin'), { recursive: true });
      await writeFile(join(r, 'go', 'VERSION'), 'go1.0\n');
      await symlink('../VERSION', join(r, 'go', 'bin', 'v'));
    });
    const target = join(scratch, 'out-good');
    await extractTar(file, target);
    expect(await readFile(join(target, 'go', 'bin', 'v'), 'utf8')).toBe('go1.0\n');
  });

  const evil: [string, (r: string) => Promise<void>, RegExp][] = [
    ['symlink-out', (r) => symlink('../../../etc/passwd', join(r, 'link')), /symlink "link"/],
    ['symlink-abs', (r) => symlink('/etc/passwd', join(r, 'link')), /symlink "link" -> "\/etc\/passwd"/],
  ];
  for (const [name, build, why] of evil) {
    it(`refuses an archive with a ${name} and leaves nothing`, async () => {
      const file = await archive(name, async (r) => {
        await writeFile(join(r, 'a'), 'a');
        await build(r);
      });
      const parent = join(scratch, `out-${name}`);
      await expect(extractTar(file, join(parent, 'target'))).rejects.toMatchObject({ code: 'ERR_UNSAFE_ARCHIVE', message: expect.stringMatching(why) });
      expect(await tree(parent)).toEqual([]);
    });
  }

  it('refuses entries whose path climbs out of the target', async () => {
    // node-tar will not write such paths itself; build the header by hand.
    const file = join(scratch, 'dotdot.tar');
    const body = Buffer.from('pwned');
    const header = new tar.Header({ path: '../escape.txt', mode: 0o644, size: body.length, type: 'File', mtime: new Date(0) });
    header.encode();
    const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
    await writeFile(file, Buffer.concat([header.block!, body, pad, Buffer.alloc(1024)]));
    const parent = join(scratch, 'out-dotdot');
    await expect(extractTar(file, join(parent, 'target'))).rejects.toMatchObject({ code: 'ERR_UNSAFE_ARCHIVE', message: expect.stringContaining('../escape.txt') });
    expect(await tree(parent)).toEqual([]);
    expect(await tree(scratch)).not.toContain('escape.txt');
  });

  it('reports a truncated archive and leaves nothing', async () => {
    const good = await archive('trunc-src', async (r) => writeFile(join(r, 'big'), Buffer.alloc(200_000, 7)));
    const bytes = await readFile(good);
    const file = join(scratch, 'truncated.tar.gz');
    await writeFile(file, bytes.subarray(0, bytes.length >> 1));
    const parent = join(scratch, 'out-trunc');
    await expect(extractTar(file, join(parent, 'target'))).rejects.toMatchObject({ code: 'ERR_EXTRACT' });
    expect(await tree(parent)).toEqual([]);
  });
});

describe('download: cut-off bodies', () => {
  const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
  const digest = sha(body);

  /** Answers with `body`, honouring Range when `ranges` is set; the first `cuts` answers stop after `cutAt` bytes. */
  async function cutting(opts: { cuts: number; cutAt: number; ranges: boolean; length?: boolean }): Promise<TestServer> {
    let cuts = opts.cuts;
    const s = await startServer((req, res) => {
      const m = opts.ranges ? /^bytes=(\d+)-/.exec(req.headers.range ?? '') : null;
      const start = m ? Number(m[1]) : 0;
      const part = body.subarray(start);
      const headers: Record<string, string | number> = opts.length === false ? {} : { 'content-length': part.length };
      if (opts.ranges) headers['accept-ranges'] = 'bytes';
      if (m) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      res.writeHead(m ? 206 : 200, headers);
      if (cuts-- > 0) {
        res.write(part.subarray(0, opts.cutAt), () => (opts.length === false ? res.end() : res.destroy()));
        return;
      }
      res.end(part);
    });
    servers.push(s);
    return s;
  }

  it('resumes a cut-off body with a Range request from the byte it stopped at', async () => {
    const s = await cutting({ cuts: 2, cutAt: 100_000, ranges: true });
    const cacheDir = join(scratch, 'dl-resume');
    const path = await download(`${s.url}/f`, { ...http, sha256: digest, size: body.length, cacheDir });
    expect((await readFile(path)).equals(body)).toBe(true);
    expect(s.requests.map((r) => r.range)).toEqual([undefined, 'bytes=100000-299999', 'bytes=200000-299999']);
  });

  it('restarts from scratch when the server cannot resume, and the in-memory readers do too', async () => {
    const s = await cutting({ cuts: 1, cutAt: 100_000, ranges: false });
    const path = await download(`${s.url}/f`, { ...http, sha256: digest, size: body.length, cacheDir: join(scratch, 'dl-restart') });
    expect((await readFile(path)).equals(body)).toBe(true);
    // The cut body, the client's Range resume (answered 200: not resumable), the restart.
    expect(s.requests).toHaveLength(3);
    const t = await cutting({ cuts: 1, cutAt: 100_000, ranges: false });
    expect((await httpGetText(`${t.url}/f`, http)).length).toBe(body.toString().length);
    expect(t.requests).toHaveLength(3);
  });

  it('reports a body that is cut off every time as ERR_TRUNCATED and keeps nothing', async () => {
    const s = await cutting({ cuts: 1000, cutAt: 100_000, ranges: false });
    const cacheDir = join(scratch, 'dl-truncated');
    await expect(download(`${s.url}/f`, { ...http, sha256: digest, size: body.length, cacheDir })).rejects.toMatchObject({ code: 'ERR_TRUNCATED', message: expect.stringContaining(`${s.url}/f`) });
    expect(await tree(join(cacheDir, 'downloads'))).toEqual(['sha256', 'tmp']);
  });

  it('refuses a short body the server ends cleanly (no length to tell) by its size and digest, and keeps nothing', async () => {
    const s = await cutting({ cuts: 1000, cutAt: 100_000, ranges: false, length: false });
    const cacheDir = join(scratch, 'dl-short');
    await expect(download(`${s.url}/f`, { ...http, sha256: digest, size: body.length, cacheDir })).rejects.toMatchObject({ code: 'ERR_CHECKSUM', message: expect.stringContaining('size mismatch') });
    await expect(download(`${s.url}/f`, { ...http, sha256: digest, cacheDir })).rejects.toMatchObject({ code: 'ERR_CHECKSUM', message: expect.stringContaining('sha256 mismatch') });
    expect(await tree(join(cacheDir, 'downloads'))).toEqual(['sha256', 'tmp']);
  });

  it('writes where the caller keeps its files and returns that path', async () => {
    const s = await cutting({ cuts: 0, cutAt: 0, ranges: true });
    const dest = join(scratch, 'own-layout', `${digest}.deb`);
    expect(await download(`${s.url}/f`, { ...http, sha256: digest, dest })).toBe(dest);
    expect(await download(`${s.url}/f`, { ...http, sha256: digest, size: body.length, dest })).toBe(dest);
    expect(s.requests).toHaveLength(1);
  });
});
