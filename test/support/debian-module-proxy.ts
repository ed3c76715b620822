// The Debian archive's Go sources as Go modules: the packages that a GOPATH
// import-graph resolution chose (tracker/debian-modules/resolve.ts) rendered as
// a module proxy on the file system (GOPROXY=file://DIR), so that a program
// built in module mode links exactly the sources a distribution build would,
// and its buildinfo names each module at the version Debian ships.
//
// A Debian suite pins one version of every library and builds each against
// the others, whatever their go.mod files require, in GOPATH mode, where the
// compiler gets no -lang and so compiles every package at the toolchain's
// language version. The proxy says the same: each module's go.mod is its
// `module` line, a `go` line of the toolchain's version and no requirement,
// and the program's own go.mod requires every module at Debian's version. The
// module graph is then closed over what Debian ships (grpc's go.mod names
// test-only modules Debian does not package, and newer versions of the ones it
// does), and the sources compile as in the distribution's build (Debian
// regenerates .pb.go files: trixie's grpc 1.64 uses unsafe.StringData, Go
// 1.20, under the `go 1.19` of grpc's own go.mod). The zips carry this go.mod
// too, so the .mod and the zip agree.
import { readdir, readFile, lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { zipSync } from 'fflate';
import { writeFileAtomic } from '../../common/atomic-write.js';
import type { PackageStanza } from '../../debian/packages.js';
import { parseModuleVersion } from '../../offsets/module-version.js';
import type { ResolvedTree } from '../../tracker/debian-modules/resolve.js';
import { goVersionFromDebian } from '../../tracker/debian-modules/version.js';
import { escapeModulePath } from '../../tracker/modules/goproxy.js';

/** One Go module rendered from a Debian package's tree. */
export interface DebianModule {
  path: string;
  version: string;
  /** The module's root directory inside the package's GOPATH entry. */
  dir: string;
  /** The go.mod served: the module line, the build's `go` line, no requirement. */
  goMod: string;
  /** The `go` line of the module's own go.mod in the tree (`1.21`, `1.25.0`); undefined when it has no go.mod or no `go` line. */
  declaredGo?: string;
  package: PackageStanza;
}

/**
 * The module version of a Debian package: its release version
 * (goVersionFromDebian), or, for a git snapshot (genproto in every suite), a
 * pseudo-version made of what Debian keeps: the date with a time of 000000 and
 * the 7 hex digits of the commit. Go's own would have the commit's time and 12
 * digits; this one names the snapshot for this proxy only and is never looked
 * up anywhere (the offsets table skips snapshots, see debian/version.ts).
 */
export function fixtureModuleVersion(pkg: PackageStanza): string {
  const v = goVersionFromDebian(pkg.version);
  return v.kind === 'release' ? v.version : `v0.0.0-${v.date}000000-${v.commit}`;
}

/**
 * The modules that own the packages of a resolved import graph: for each
 * import path, the nearest directory at or above it in its package's tree
 * that has a go.mod; in a tree without one (some Debian packages ship none),
 * the top of the tree's source (the first directory along the path holding a
 * file or more than one directory). `goLine` is the `go` line of every
 * module's go.mod: the version of the toolchain that builds them.
 */
export async function modulesOf(tree: ResolvedTree, goLine: string): Promise<DebianModule[]> {
  const byDir = new Map<string, DebianModule>();
  for (const [importPath, pkg] of [...tree.provider].sort(([a], [b]) => a.localeCompare(b))) {
    const entry = tree.gopath[tree.chosen.indexOf(pkg)];
    const src = join(entry, 'src');
    const root = (await goModRoot(src, importPath)) ?? (await sourceTop(src, importPath));
    if (byDir.has(root)) continue;
    byDir.set(root, await renderModule(src, root, pkg, goLine));
  }
  const modules = [...byDir.values()].sort((a, b) => a.path.localeCompare(b.path));
  for (let i = 1; i < modules.length; i++) {
    if (modules[i].path === modules[i - 1].path) {
      throw new Error(`module ${modules[i].path} is in two Debian packages of the graph: ${modules[i - 1].package.package} and ${modules[i].package.package}`);
    }
  }
  return modules;
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}

async function goModRoot(src: string, importPath: string): Promise<string | undefined> {
  for (let p = importPath; p !== '.' && p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
    if (await isFile(join(src, p, 'go.mod'))) return join(src, p);
  }
  return undefined;
}

async function sourceTop(src: string, importPath: string): Promise<string> {
  const parts = importPath.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const dir = join(src, ...parts.slice(0, i));
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile()) || entries.filter((e) => e.isDirectory()).length > 1) return dir;
  }
  return join(src, importPath);
}

async function renderModule(src: string, root: string, pkg: PackageStanza, goLine: string): Promise<DebianModule> {
  const dirPath = relative(src, root).split(sep).join('/');
  const original = await readFile(join(root, 'go.mod'), 'utf8').catch(() => undefined);
  const declared = original && /^module\s+"?([^\s"]+)"?\s*$/m.exec(original)?.[1];
  if (original !== undefined && !declared) throw new Error(`${pkg.package} ${pkg.version}: ${dirPath}/go.mod has no module line`);
  const path = declared || dirPath;
  if (path !== dirPath) throw new Error(`${pkg.package} ${pkg.version}: ${dirPath}/go.mod declares module ${path}, not the path it is installed at`);
  let version = fixtureModuleVersion(pkg);
  const major = /\/v(\d+)$/.exec(path)?.[1];
  const parsed = parseModuleVersion(version);
  if (parsed.kind !== 'semver') throw new Error(`${pkg.package} ${pkg.version}: no module version (${version})`);
  if (major !== undefined && String(parsed.parsed.major) !== major) {
    throw new Error(`${pkg.package} ${pkg.version}: module ${path} at ${version}: the major version does not match the path`);
  }
  // A v2+ module without go.mod and without /vN in its path: Go's +incompatible.
  if (major === undefined && parsed.parsed.major >= 2) {
    if (original !== undefined) throw new Error(`${pkg.package} ${pkg.version}: module ${path} has a go.mod but version ${version} needs /v${parsed.parsed.major} in its path`);
    version += '+incompatible';
  }
  const goMod = `module ${path}\n\ngo ${goLine}\n`;
  const declaredGo = original && /^go\s+(\S+)\s*$/m.exec(original)?.[1];
  return { path, version, dir: root, goMod, package: pkg, ...(declaredGo ? { declaredGo } : {}) };
}

/** Writes the proxy: `<escaped module>/@v/list`, `<v>.info`, `<v>.mod` and `<v>.zip` per module. */
export async function writeModuleProxy(dir: string, modules: DebianModule[]): Promise<void> {
  for (const m of modules) {
    const at = join(dir, escapeModulePath(m.path), '@v');
    const v = escapeModulePath(m.version);
    await writeFileAtomic(join(at, `${v}.zip`), await moduleZip(m));
    await writeFileAtomic(join(at, `${v}.mod`), m.goMod);
    await writeFileAtomic(join(at, `${v}.info`), JSON.stringify({ Version: m.version }));
    await writeFileAtomic(join(at, 'list'), `${m.version}\n`);
  }
}

/**
 * The module zip (golang.org/x/mod/zip's layout: every entry under
 * `module@version/`), with the files Go's own zip creation keeps: no nested
 * module, no vendored package, no symbolic link or other irregular file, no
 * VCS directory, and only file names module.CheckFilePath accepts (Debian's
 * trees have symlinks into other packages; a bad name would make the go
 * command refuse the whole zip). Stored, not deflated: it is read once, locally.
 */
async function moduleZip(m: DebianModule): Promise<Uint8Array> {
  const prefix = `${m.path}@${m.version}/`;
  const entries: Record<string, Uint8Array> = { [`${prefix}go.mod`]: new TextEncoder().encode(m.goMod) };
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (VCS_DIRS.has(e.name) || (await isFile(join(dir, e.name, 'go.mod')))) continue;
        await walk(join(dir, e.name), path);
      } else if (e.isFile() && path !== 'go.mod' && !isVendored(path) && validFilePath(path)) {
        entries[prefix + path] = await readFile(join(dir, e.name));
      }
    }
  };
  await walk(m.dir, '');
  return zipSync(entries, { level: 0, mtime: new Date(Date.UTC(2000, 0, 1)) });
}

const VCS_DIRS = new Set(['.git', '.hg', '.svn', '.bzr']);

/** x/mod/zip's isVendoredPackage: a file below a directory of a vendor directory. */
function isVendored(path: string): boolean {
  const i = path.startsWith('vendor/') ? 'vendor/'.length : path.indexOf('/vendor/') >= 0 ? path.indexOf('/vendor/') + '/vendor/'.length : -1;
  return i >= 0 && path.slice(i).includes('/');
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/** golang.org/x/mod/module.CheckFilePath, for the names a Debian tree can hold. */
function validFilePath(path: string): boolean {
  return path.split('/').every((elem) => {
    if (elem === '' || /^\.+$/.test(elem) || elem.endsWith('.')) return false;
    if (![...elem].every((c) => /[0-9A-Za-z!#$%&()+,\-.=@[\]^_{}~ ]/.test(c) || (c.charCodeAt(0) >= 0x80 && /\p{L}/u.test(c)))) return false;
    const short = elem.includes('.') ? elem.slice(0, elem.indexOf('.')) : elem;
    if (WINDOWS_RESERVED.test(short)) return false;
    const tilde = short.lastIndexOf('~');
    return !(tilde >= 0 && tilde < short.length - 1 && /^\d+$/.test(short.slice(tilde + 1)));
  });
}
