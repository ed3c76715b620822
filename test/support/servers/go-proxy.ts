import { zipSync } from 'fflate';
import { fixtureModulesDir, moduleFiles, readFixtureModules } from './fixture-modules.js';
import { sendText, startServer, type TestServer } from './http-server.js';

export interface GoProxyOptions {
  /** Directory laid out as <module path>/@v/<version>/<files>; default test/fixtures/modules. */
  modulesDir?: string;
  /** Serve only these modules (404 for the others). */
  modules?: string[];
  /** Answer every request with this status (an unhealthy proxy). */
  failWith?: number;
}

export interface GoProxyServer extends TestServer {
  /** Module path -> versions served. */
  served: Map<string, string[]>;
}

/** Go's module path escaping in reverse: `!x` is `X`. */
function unescapeModulePath(p: string): string {
  return p.replace(/!([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A GOPROXY (https://go.dev/ref/mod#goproxy-protocol) over fixture modules:
 * `<module>/@v/list`, `<module>/@v/<version>.info|.mod|.zip`, `<module>/@latest`.
 * Zips use the module zip layout (`module@version/...`). Point `go build` at
 * it with GOPROXY=<url>, GOSUMDB=off, GOFLAGS=-mod=mod.
 */
export async function startGoProxy(opts: GoProxyOptions = {}): Promise<GoProxyServer> {
  const all = await readFixtureModules(opts.modulesDir ?? fixtureModulesDir);
  const modules = new Map([...all].filter(([m]) => !opts.modules || opts.modules.includes(m)));
  const zips = new Map<string, Buffer>();
  const time = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString();

  const server = await startServer(async (req, res) => {
    if (opts.failWith) return sendText(res, opts.failWith, 'proxy failure');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const latest = /^(.+)\/@latest$/.exec(path);
    const m = latest ? undefined : /^(.+)\/@v\/(list|(.+)\.(info|mod|zip))$/.exec(path);
    const mod = modules.get(unescapeModulePath((latest ?? m)?.[1] ?? ''));
    if (!mod) return sendText(res, 404, `not found: ${path}`);
    if (latest) {
      const v = mod.versions.at(-1)!;
      return sendText(res, 200, JSON.stringify({ Version: v, Time: time(mod.versions.indexOf(v)) }), 'application/json');
    }
    if (m![2] === 'list') return sendText(res, 200, mod.versions.map((v) => `${v}\n`).join(''));
    const version = unescapeModulePath(m![3]);
    const i = mod.versions.indexOf(version);
    if (i < 0) return sendText(res, 404, `not found: ${mod.module}@${version}: unknown revision`);
    const files = await moduleFiles(mod.dir(version));
    switch (m![4]) {
      case 'info':
        return sendText(res, 200, JSON.stringify({ Version: version, Time: time(i) }), 'application/json');
      case 'mod':
        return sendText(res, 200, files.get('go.mod')?.toString('utf8') ?? `module ${mod.module}\n`);
      default: {
        const key = `${mod.module}@${version}`;
        let zip = zips.get(key);
        if (!zip) {
          const entries: Record<string, Uint8Array> = {};
          for (const [name, data] of files) entries[`${key}/${name}`] = data;
          zip = Buffer.from(zipSync(entries, { level: 6, mtime: new Date(Date.UTC(2024, 0, 1)) }));
          zips.set(key, zip);
        }
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
        res.end(zip);
      }
    }
  });
  return { ...server, served: new Map([...modules].map(([k, v]) => [k, v.versions])) };
}
