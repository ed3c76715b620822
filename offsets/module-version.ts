import SemVer from 'semver/classes/semver.js';
import { TableError } from './errors.js';

// Only the SemVer class, not the whole semver package (forty-odd modules). Imported, so that
// the CLIs' bundles (scripts/build-bundles.mjs) hold it, in their code caches too, instead of
// resolving, reading and compiling its files from node_modules at every start.

/**
 * A module version as buildinfo reports it: semver with a `v` prefix
 * (`v1.60.0`, `v2.0.0+incompatible`, pseudo-versions such as
 * `v0.0.0-20191109021931-daa7c04131f5`), or `(devel)` (the main module, a
 * local replace), or missing. The last two carry no version: a lookup for
 * them answers "unknown" for that field only.
 */
export type ModuleVersion =
  | {
      kind: 'semver';
      raw: string;
      /** `v` + semver, with `+incompatible` kept. */
      canonical: string;
      parsed: SemVer;
      /** `major.minor`: the line range inference stays within. */
      line: string;
      /** A pre-release or a pseudo-version (a commit between releases). */
      prerelease: boolean;
      pseudo: boolean;
      incompatible: boolean;
    }
  | { kind: 'devel' | 'missing'; raw: string };

/**
 * golang.org/x/mod/module's pseudo-version rule (IsPseudoVersion): one of
 * vX.0.0-yyyymmddhhmmss-rev, vX.Y.Z-pre.0.yyyymmddhhmmss-rev and
 * vX.Y.(Z+1)-0.yyyymmddhhmmss-rev, build metadata allowed after it.
 */
const PSEUDO = /^v\d+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * The grammar is semver as golang.org/x/mod/semver reads it, restricted to
 * the canonical form module versions must have (x/mod/module refuses the
 * shorthands `v1` and `v1.2`): vMAJOR.MINOR.PATCH, an optional pre-release,
 * optional build metadata (`+incompatible`), no leading zeros. The `v` may
 * be left out on the command line (`1.60.0`). This is the one parser of
 * module versions in the project.
 */
export function parseModuleVersion(input: string | undefined | null): ModuleVersion {
  const raw = (input ?? '').trim();
  if (raw === '') return { kind: 'missing', raw };
  if (raw === '(devel)') return { kind: 'devel', raw };
  const body = raw.startsWith('v') ? raw.slice(1) : raw;
  // semver itself tolerates a leading v or =; Go allows exactly one v.
  const parsed = /^\d/.test(body) ? tryParseSemver(body) : null;
  if (!parsed) {
    throw new TableError('ERR_BAD_MODULE_VERSION', `not a module version: ${JSON.stringify(input)} (expected semver such as v1.60.0, a pseudo-version or (devel))`);
  }
  const build = parsed.build.length ? `+${parsed.build.join('.')}` : '';
  const canonical = `v${parsed.version}${build}`;
  return {
    kind: 'semver',
    raw,
    canonical,
    parsed,
    line: `${parsed.major}.${parsed.minor}`,
    prerelease: parsed.prerelease.length > 0,
    pseudo: (canonical.match(/-/g)?.length ?? 0) >= 2 && PSEUDO.test(canonical),
    incompatible: parsed.build.includes('incompatible'),
  };
}

/** Semver order (pseudo-versions sort between their base and the next release); build metadata breaks ties. */
export function compareModuleVersions(a: SemVer, b: SemVer): number {
  return a.compare(b) || a.compareBuild(b);
}

/** True when `input` is a module version with a version (not `(devel)`, not missing). */
export function isModuleVersion(input: string): boolean {
  const body = input.trim().replace(/^v/, '');
  return /^\d/.test(body) && tryParseSemver(body) !== null;
}

function tryParseSemver(body: string): SemVer | null {
  try {
    return new SemVer(body);
  } catch {
    return null;
  }
}
