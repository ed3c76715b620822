import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { fileStamp } from './file-stamp.js';

// V8 can save the code it compiled for a script and take it back on the next
// start instead of compiling again. iced-x86's 900 kB of JavaScript glue takes
// 15-30 ms to compile on a 2-core machine, on the agent's start-up path; from
// the cache it takes a few. Node 20 has no compile cache of its own for
// require() (module.enableCompileCache came in Node 22), so this loads the
// file the way require() does, through vm.Script with the cached data.
//
// V8 checks the cache against its own version and flags and rejects it if
// they differ (the file is then compiled as usual), but it identifies the
// source only by its length: the cache file is therefore named after the
// source's size and mtime, and one made for another copy is never found.

function cacheFileFor(file: string, st: Stats, cacheDir: string): string {
  return join(cacheDir, `${basename(file)}.${fileStamp(st)}.v8cache`);
}

function compile(file: string, cachedData?: Buffer): Script {
  return new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
}

/** Runs the compiled wrapper as require() would, and registers the module in require.cache. */
function evaluate(file: string, script: Script): unknown {
  const module = new Module(file);
  module.filename = file;
  const require = createRequire(file);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, require, module, file, dirname(file));
  module.loaded = true;
  require.cache[file] = module;
  return module.exports;
}

/** How loadWithCodeCache compiled the file. */
export type CodeCacheUse = 'from the code cache' | 'no code cache for this file' | 'code cache rejected by V8' | 'already loaded';

/**
 * require(file), compiled from the code cache in `cacheDir` when there is one
 * for this very file (see writeCodeCache), and as usual otherwise.
 */
export function loadWithCodeCache(file: string, cacheDir: string): { exports: unknown; use: CodeCacheUse } {
  const require = createRequire(file);
  const loaded = require.cache[file];
  if (loaded) return { exports: loaded.exports, use: 'already loaded' };
  let cachedData: Buffer;
  try {
    cachedData = readFileSync(cacheFileFor(file, statSync(file), cacheDir));
  } catch {
    return { exports: require(file), use: 'no code cache for this file' };
  }
  const script = compile(file, cachedData);
  return { exports: evaluate(file, script), use: script.cachedDataRejected ? 'code cache rejected by V8' : 'from the code cache' };
}

export function requireWithCodeCache(file: string, cacheDir: string): unknown {
  return loadWithCodeCache(file, cacheDir).exports;
}

/**
 * Loads `file` for a code cache: run what a start runs with `exports` (so that
 * those functions are compiled too, also asynchronously), then `save` the
 * cache into `cacheDir`, replacing any older one for the same file name. Run
 * with the Node that will use it.
 */
export function compileForCodeCache(file: string): { exports: unknown; save(cacheDir: string): string } {
  const script = compile(file);
  const exports = evaluate(file, script);
  return {
    exports,
    save(cacheDir) {
      for (const old of readdirSync(cacheDir)) {
        if (old.startsWith(`${basename(file)}.`) && old.endsWith('.v8cache')) rmSync(join(cacheDir, old));
      }
      const out = cacheFileFor(file, statSync(file), cacheDir);
      writeFileSync(out, script.createCachedData());
      return out;
    },
  };
}

/** compileForCodeCache with a synchronous warm-up: loads, warms up, saves; returns the cache file. */
export function writeCodeCache(file: string, cacheDir: string, warmUp: (exports: unknown) => void): string {
  const compiled = compileForCodeCache(file);
  warmUp(compiled.exports);
  return compiled.save(cacheDir);
}
