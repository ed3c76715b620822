import type { ErrorObject } from 'ajv';
import { validate as generatedValidateIndex } from '../schema/go-dev-index-validator.generated.js';
import { SourceError } from './errors.js';

/** One release of the go.dev/dl JSON index (`?mode=json&include=all`). */
export interface GoDevRelease {
  version: string;
  stable: boolean;
  files: GoDevFile[];
}

export interface GoDevFile {
  filename: string;
  os: string;
  arch: string;
  version: string;
  sha256: string;
  size: number;
  kind: string;
}

/** tracker/schema/go-dev-index.schema.json, compiled ahead of time (tracker/schema/generate-validators.ts). */
const validate = generatedValidateIndex as unknown as ((doc: unknown) => doc is GoDevRelease[]) & { errors?: ErrorObject[] | null };

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || '(top)'} ${e.message}` : 'unknown reason';
}

/** Parses and validates the index text; ERR_INDEX_MALFORMED names the first problem and the URL. */
export function parseGoDevIndex(text: string, url: string): GoDevRelease[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SourceError('ERR_INDEX_MALFORMED', `release index is not JSON (${(err as Error).message}): ${url}`, { cause: err });
  }
  if (!validate(data)) throw new SourceError('ERR_INDEX_MALFORMED', `release index has an unexpected layout at ${describe(validate.errors)}: ${url}`);
  return data;
}

/** Go's arch name for this host. */
export function hostGoArch(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'armv6l', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch];
  return arch ?? process.arch;
}

/** The linux tar.gz archive of a release for `arch`, if it has one with a sha256. */
export function hostArchive(release: GoDevRelease, arch = hostGoArch()): GoDevFile | undefined {
  return release.files.find((f) => f.kind === 'archive' && f.os === 'linux' && f.arch === arch && f.filename.endsWith('.tar.gz') && f.sha256 !== '');
}
