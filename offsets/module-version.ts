import { createRequire } from 'node:module';
import type SemVerClass from 'semver/classes/semver.js';
import { TableError } from './errors.js';

// Only the SemVer class, not the whole semver package: the agent loads this at start-up, where
// semver's index (forty-odd modules) cost tens of milliseconds. Required, not imported: semver
// is CommonJS, and an ESM import first runs Node's CommonJS export scanner over each file.
const SemVer = createRequire(import.meta.url)('semver/classes/semver.js') as typeof SemVerClass;
type SemVer = SemVerClass;

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

const PSEUDO = /-(?:[0-9A-Za-z.-]*\.)?\d{14}-[0-9a-f]{12}$/;

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
  return {
    kind: 'semver',
    raw,
    canonical: `v${parsed.version}${build}`,
    parsed,
    line: `${parsed.major}.${parsed.minor}`,
    prerelease: parsed.prerelease.length > 0,
    pseudo: PSEUDO.test(parsed.version),
    incompatible: parsed.build.includes('incompatible'),
  };
}

/** Semver order (pseudo-versions sort between their base and the next release); build metadata breaks ties. */
export function compareModuleVersions(a: SemVer, b: SemVer): number {
  return a.compare(b) || a.compareBuild(b);
}

function tryParseSemver(body: string): SemVer | null {
  try {
    return new SemVer(body);
  } catch {
    return null;
  }
}
