import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { privatePath } from '../common/private-path.js';
import { DebianError } from './errors.js';
import { fetchBytes, type FetchOptions } from './http.js';

export interface ReleaseEntry {
  sha256: string;
  size: number;
  /** Path relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz. */
  path: string;
}

export interface ReleaseFile {
  suite: string;
  codename?: string;
  date?: string;
  acquireByHash: boolean;
  /** SHA256 entries keyed by path. */
  sha256: Map<string, ReleaseEntry>;
}

/** Strips the OpenPGP clearsign armour of an InRelease file (the signature itself is not checked here). */
function clearsignedBody(text: string): string {
  if (!text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) return text;
  const start = text.indexOf('\n\n');
  const end = text.indexOf('\n-----BEGIN PGP SIGNATURE-----');
  if (start < 0 || end < 0) return '';
  // Dash-escaped lines ("- -...") lose their escape.
  return text.slice(start + 2, end).replace(/^- /gm, '');
}

/** Parses the text of an InRelease or Release file. `where` names it in errors. */
export function parseRelease(text: string, where: string): ReleaseFile {
  const body = clearsignedBody(text);
  const fields = new Map<string, string>();
  let last = '';
  for (const line of body.split('\n')) {
    if (/^\s/.test(line)) {
      if (last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) fields.set((last = m[1]), m[2]);
  }
  const list = fields.get('SHA256');
  if (!list) throw new DebianError('ERR_DEBIAN_RELEASE_MALFORMED', 'no SHA256 list in the Release file', where);
  const sha256 = new Map<string, ReleaseEntry>();
  for (const line of list.split('\n')) {
    if (!line.trim()) continue;
    const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line.trim());
    if (!m) throw new DebianError('ERR_DEBIAN_RELEASE_MALFORMED', `bad SHA256 line: ${JSON.stringify(line)}`, where);
    sha256.set(m[3], { sha256: m[1], size: Number(m[2]), path: m[3] });
  }
  return {
    suite: fields.get('Suite') ?? '',
    codename: fields.get('Codename'),
    date: fields.get('Date'),
    acquireByHash: (fields.get('Acquire-By-Hash') ?? '').toLowerCase() === 'yes',
    sha256,
  };
}

const run = promisify(execFile);

/** Checks a clearsigned InRelease with gpgv against `keyring` (apt's Signed-By). */
export async function verifyInRelease(data: Uint8Array, keyring: string, where: string): Promise<void> {
  const file = privatePath(join(tmpdir(), 'go-offsets-inrelease'));
  await writeFile(file, data);
  try {
    await run('gpgv', ['--quiet', '--keyring', keyring, file]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new DebianError('ERR_DEBIAN_SIGNATURE', `signature not accepted with keyring ${keyring}: ${(e.stderr || e.message).trim()}`, where, { cause: err });
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * Fetches dists/<suite>/InRelease, falling back to dists/<suite>/Release. With a
 * keyring, only a signed InRelease that gpgv accepts is used.
 */
export async function fetchRelease(mirror: string, suite: string, opts: FetchOptions = {}, keyring?: string): Promise<ReleaseFile> {
  const base = `${mirror}/dists/${suite}`;
  let url = `${base}/InRelease`;
  let data: Buffer;
  try {
    data = await fetchBytes(url, opts);
  } catch (err) {
    if (keyring || !(err instanceof DebianError && err.code === 'ERR_DEBIAN_NOT_FOUND')) throw err;
    url = `${base}/Release`;
    data = await fetchBytes(url, opts);
  }
  if (keyring) await verifyInRelease(data, keyring, url);
  return parseRelease(data.toString('utf8'), url);
}
