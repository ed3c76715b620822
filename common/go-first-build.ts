/**
 * Go's build cache is safe to share between go commands, but it does not
 * coordinate them: two commands that miss the same package at the same time
 * both compile it. On a cold machine every build of a new configuration starts
 * by compiling the standard library, so two builds of one configuration started
 * together (a probe and its stripped twin, two test files, the tracker and the
 * test matrix) compile std twice. Measured with go1.24 on the 2-core machine,
 * empty cache: the probe alone 47 s of CPU (34 user + 13 system); it and its
 * stripped twin started together, 111 s.
 *
 * So the first build of each configuration on the machine runs alone, under a
 * lock on that configuration's marker; builds of the same configuration that
 * start meanwhile wait, then find std in the cache. The marker is written when
 * that build succeeds; from then on builds run without the lock. A failed or
 * killed first build leaves no marker (its lock goes stale), so the next one
 * takes its place.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cachePath } from './cache-dir.js';
import { writeFileAtomic } from './atomic-write.js';
import { withLock } from './lock.js';

/**
 * What decides the compiled form of std, and so the cache keys that builds can
 * share: the toolchain, the build cache, the target, -trimpath (rewrites every
 * file name the compiler records) and the build mode (`pie` compiles every
 * package with -shared on amd64). Link flags change no compile. CGO_ENABLED is
 * left out on purpose: it changes only net, os/user, runtime/cgo and what
 * imports them, and a cgo build after a plain one reuses everything below those.
 */
export function goBuildConfig(goroot: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const separate = args.indexOf('-buildmode');
  const buildmode = args.find((a) => a.startsWith('-buildmode='))?.slice('-buildmode='.length) ?? (separate >= 0 ? args[separate + 1] : 'default');
  return JSON.stringify({
    goroot,
    gocache: env.GOCACHE ?? '',
    goos: env.GOOS ?? 'linux',
    goarch: env.GOARCH ?? 'amd64',
    trimpath: args.includes('-trimpath'),
    buildmode,
    race: args.includes('-race'),
    experiment: env.GOEXPERIMENT ?? '',
  });
}

/** Runs `build` (a `go build` with `goroot`, `args` and `env`), alone if it is the first of its configuration on this machine. */
export async function firstBuildAlone<T>(goroot: string, args: readonly string[], env: NodeJS.ProcessEnv, build: () => Promise<T>): Promise<T> {
  const config = goBuildConfig(goroot, args, env);
  const marker = cachePath('go-build-configs', createHash('sha256').update(config).digest('hex').slice(0, 24));
  if (existsSync(marker)) return build();
  return withLock(marker, async () => {
    if (existsSync(marker)) return build();
    const result = await build();
    await writeFileAtomic(marker, `${config}\n`);
    return result;
  });
}
