import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DebianError } from './errors.js';

/** One `deb` source from the apt configuration. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  file: string;
  /** Keyring from Signed-By / [signed-by=...], when given. */
  signedBy?: string;
}

/** Parses one-line `deb [opts] URI suite comp...` entries (sources.list format). */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(line);
    if (!m) continue; // deb-src and junk lines serve no binaries
    const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
    out.push({ uri: m[2], suites: [m[3]], components: m[4].trim().split(/\s+/).filter(Boolean), file, signedBy });
  }
  return out;
}

/** Parses deb822 `.sources` stanzas (Types/URIs/Suites/Components; Enabled: no is honoured). */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (m) fields.set((last = m[1].toLowerCase()), m[2].trim());
    }
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    // Signed-By may also hold an inline key block; only a keyring path is usable with gpgv.
    const signedBy = words('signed-by')[0]?.startsWith('/') ? words('signed-by')[0] : undefined;
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components'), file, signedBy });
  }
  return out;
}

/** Every `deb` source configured under aptRoot (default /etc/apt). */
export async function readAptSources(aptRoot = '/etc/apt'): Promise<AptSource[]> {
  const out: AptSource[] = [];
  const tryRead = async (p: string) => readFile(p, 'utf8').catch(() => undefined);
  const main = join(aptRoot, 'sources.list');
  const mainText = await tryRead(main);
  if (mainText !== undefined) out.push(...parseOneLineSources(mainText, main));
  const dir = join(aptRoot, 'sources.list.d');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    const p = join(dir, name);
    if (name.endsWith('.list')) out.push(...parseOneLineSources((await tryRead(p)) ?? '', p));
    else if (name.endsWith('.sources')) out.push(...parseDeb822Sources((await tryRead(p)) ?? '', p));
  }
  return out;
}

/**
 * True for a source of the main `debian` archive: its URI path ends in /debian and
 * none of its suites is a -security/-updates pocket (those live on other archives).
 */
function servesDebianArchive(s: AptSource): boolean {
  let path: string;
  try {
    path = new URL(s.uri).pathname.replace(/\/+$/, '');
  } catch {
    return false;
  }
  return /(^|\/)debian$/.test(path) && !s.suites.some((x) => /-security$/.test(x) || x.includes('/updates'));
}

/** Debian's archive keyring, used when apt names none (as with old-style sources.list). */
export const DEBIAN_ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/**
 * The mirror and the keyring its InRelease files are checked with: apt's Signed-By,
 * else Debian's archive keyring when installed. An override has no keyring unless given.
 */
export async function debianMirrorSource(opts: { override?: string; keyring?: string; aptRoot?: string } = {}): Promise<{ uri: string; keyring?: string }> {
  if (opts.override) return { uri: opts.override.replace(/\/+$/, ''), keyring: opts.keyring };
  const sources = await readAptSources(opts.aptRoot);
  const hit = sources.find(servesDebianArchive);
  if (!hit) return { uri: await debianMirror(opts) }; // throws ERR_DEBIAN_NO_MIRROR
  const fallback = await access(DEBIAN_ARCHIVE_KEYRING).then(() => DEBIAN_ARCHIVE_KEYRING, () => undefined);
  return { uri: hit.uri.replace(/\/+$/, ''), keyring: opts.keyring ?? hit.signedBy ?? fallback };
}

/**
 * The Debian mirror base URI (no trailing slash). An explicit override wins;
 * otherwise the first apt entry that serves the `debian` archive.
 */
export async function debianMirror(opts: { override?: string; aptRoot?: string } = {}): Promise<string> {
  if (opts.override) return opts.override.replace(/\/+$/, '');
  const sources = await readAptSources(opts.aptRoot);
  const hit = sources.find(servesDebianArchive);
  if (!hit) {
    throw new DebianError(
      'ERR_DEBIAN_NO_MIRROR',
      `no apt source serving the debian archive (looked at ${sources.length} deb entries; pass a mirror URI explicitly)`,
      opts.aptRoot ?? '/etc/apt',
    );
  }
  return hit.uri.replace(/\/+$/, '');
}
