import { GobinError } from './errors.js';

export interface ModuleInfo {
  path: string;
  version: string;
  sum: string;
  replace: ModuleInfo | null;
}

export interface ParsedModinfo {
  path: string;
  main: ModuleInfo | null;
  modules: ModuleInfo[];
  settings: Record<string, string>;
}

/**
 * Parses the module information text the go command embeds (and that
 * `go version -m` prints, one tab-indented line each): `path`, `mod`, `dep`,
 * `=>` (replaces the module on the line before) and, since Go 1.18, `build`
 * settings whose key or value Go quotes when they contain spaces or quotes.
 * Mirrors runtime/debug.ParseBuildInfo.
 */
export function parseModinfo(text: string, where = 'modinfo'): ParsedModinfo {
  const out: ParsedModinfo = { path: '', main: null, modules: [], settings: {} };
  let last: ModuleInfo | null = null;
  const bad = (line: string, why: string): never => {
    throw new GobinError('ERR_BUILDINFO_MALFORMED', `${where}: ${why}: ${JSON.stringify(line)}`);
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const kind = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? '' : line.slice(tab + 1);
    switch (kind) {
      case 'path':
        out.path = rest;
        break;
      case 'mod':
        last = out.main = parseModule(rest, line, bad);
        break;
      case 'dep':
        last = parseModule(rest, line, bad);
        out.modules.push(last);
        break;
      case '=>':
        if (!last) bad(line, 'replacement without a module before it');
        last!.replace = parseModule(rest, line, bad);
        last = null;
        break;
      case 'build': {
        const [key, value] = parseSetting(rest, line, bad);
        out.settings[key] = value;
        break;
      }
      default:
        // Lines this reader does not know (future additions) are skipped, as Go's own parser rejects
        // only malformed known lines; `go` lines appear in `go version -m` output.
        break;
    }
  }
  return out;
}

function parseModule(rest: string, line: string, bad: (l: string, w: string) => never): ModuleInfo {
  const f = rest.split('\t');
  if (f.length < 2 || f[0] === '') bad(line, 'module line needs a path and a version');
  return { path: f[0], version: f[1], sum: f[2] ?? '', replace: null };
}

function parseSetting(kv: string, line: string, bad: (l: string, w: string) => never): [string, string] {
  let key: string;
  let raw: string;
  if (kv.startsWith('=') || kv === '') bad(line, 'build setting without a key');
  if (kv[0] === '"' || kv[0] === '`') {
    const q = quotedPrefix(kv) ?? bad(line, 'unterminated quoted key');
    key = unquoteGo(q);
    if (kv[q.length] !== '=') bad(line, "build setting without '='");
    raw = kv.slice(q.length + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq < 0) bad(line, "build setting without '='");
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
  }
  if (raw[0] === '"' || raw[0] === '`') {
    const q = quotedPrefix(raw);
    if (q === undefined || q.length !== raw.length) bad(line, 'malformed quoted value');
    return [key, unquoteGo(raw)];
  }
  return [key, raw];
}

/** The Go-quoted string at the start of `s` (strconv.QuotedPrefix), or undefined. */
function quotedPrefix(s: string): string | undefined {
  const q = s[0];
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === q) return s.slice(0, i + 1);
  }
  return undefined;
}

/** strconv.Unquote for the escapes strconv.Quote produces. */
export function unquoteGo(q: string): string {
  if (q[0] === '`') return q.slice(1, -1);
  const body = q.slice(1, -1);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...enc.encode(String.fromCodePoint(cp)));
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
    if (e in simple) bytes.push(simple[e]);
    else if (e === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      bytes.push(...enc.encode(String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16))));
      i += n;
    } else if (e >= '0' && e <= '7') {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw new GobinError('ERR_BUILDINFO_MALFORMED', `bad escape \\${e} in ${q}`);
  }
  return Buffer.from(bytes).toString('utf8');
}
