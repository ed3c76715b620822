import { httpGetText, type HttpOptions } from '../../fetch/http.js';
import { ModuleSourceError } from './errors.js';

/** One GOPROXY entry and how a failure of it falls through to the next. */
export type ProxyEntry =
  | { kind: 'url'; url: string; /** ',' falls through only on 404/410; '|' on any error; undefined: last entry. */ fallback?: ',' | '|' }
  | { kind: 'direct' }
  | { kind: 'off' };

/**
 * Parses GOPROXY list syntax as the go command does: entries separated by ','
 * or '|', a URL without scheme gets https://, and `direct`/`off` end the list
 * (the go command ignores what follows them).
 */
export function parseGoproxy(value: string): ProxyEntry[] {
  const out: ProxyEntry[] = [];
  // Split keeping separators: ['a', ',', 'b', '|', 'direct'].
  const parts = value.trim().split(/([,|])/);
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i].trim();
    const sep = parts[i + 1] as ',' | '|' | undefined;
    if (word === '') continue;
    if (word === 'off' || word === 'direct') {
      out.push({ kind: word });
      break;
    }
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(word) ? word : `https://${word}`;
    try {
      new URL(url);
    } catch {
      throw new ModuleSourceError('ERR_GOPROXY_SYNTAX', `GOPROXY entry ${JSON.stringify(word)} is not a URL`);
    }
    out.push({ kind: 'url', url: url.replace(/\/+$/, ''), fallback: sep });
  }
  if (out.length === 0) throw new ModuleSourceError('ERR_GOPROXY_SYNTAX', `GOPROXY ${JSON.stringify(value)} has no entries (expected e.g. "https://proxy.example,direct", or "off")`);
  return out;
}

/**
 * Go's module path escaping for proxies and caches: every upper-case letter
 * becomes '!' and its lower case (github.com/Azure -> github.com/!azure).
 */
export function escapeModulePath(path: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._~+\-/]*$/.test(path) || path.split('/').some((e) => e === '' || e === '.' || e === '..') || path.endsWith('/')) {
    throw new ModuleSourceError('ERR_MODULE_PATH', `not a valid module path: ${JSON.stringify(path)}`);
  }
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** The versions listed by `<proxy>/<escaped module>/@v/list` (first field of each line). */
export async function fetchProxyList(proxy: string, module: string, http?: HttpOptions): Promise<string[]> {
  const text = await httpGetText(`${proxy}/${escapeModulePath(module)}/@v/list`, http);
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

