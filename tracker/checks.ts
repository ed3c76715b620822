/**
 * Sanity checks on what a probe reports, before anything is written: a probe
 * that fails them yields failed observations, never values.
 */
import type { StructType } from '../gobin/dwarf/index.js';
import type { Arch, Observation } from '../offsets/observation.js';
import { goMinorLine, parseGoVersion } from '../offsets/go-version.js';
import { parseModuleVersion } from '../offsets/module-version.js';
import { compareTaggedVersions } from '../offsets/versions.js';
import type { ProbeReading } from './read.js';

const POINTER_SIZE: Record<Arch, number> = { amd64: 8, arm64: 8 };

/** The probe is for the arch asked for: ELF machine and DWARF pointer size. */
export function checkTarget(reading: Pick<ProbeReading, 'machine' | 'pointerSize'>, arch: Arch): string[] {
  const problems: string[] = [];
  if (reading.machine !== arch) problems.push(`the probe's ELF machine is ${reading.machine}, expected ${arch}`);
  if (reading.pointerSize !== POINTER_SIZE[arch]) problems.push(`the probe's pointer size is ${reading.pointerSize}, expected ${POINTER_SIZE[arch]} for ${arch}`);
  return problems;
}

/** Every member lies inside its struct, and no two members with a size overlap. */
export function checkStruct(s: StructType): string[] {
  const problems: string[] = [];
  const placed = s.members
    .filter((m) => m.offset !== null)
    .map((m) => ({ name: m.name, start: m.offset!, end: m.offset! + (m.size ?? 0) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  for (const m of placed) {
    if (m.start < 0 || m.end > s.size || m.start > s.size) problems.push(`${s.name}.${m.name}: [${m.start}, ${m.end}) lies outside the struct (size ${s.size})`);
  }
  for (let i = 1; i < placed.length; i++) {
    const a = placed[i - 1];
    const b = placed[i];
    if (b.start < a.end && b.end > b.start && a.end > a.start) problems.push(`${s.name}: ${a.name} [${a.start}, ${a.end}) overlaps ${b.name} [${b.start}, ${b.end})`);
  }
  return problems;
}

/** Every problem with a probe reading; empty when it can be trusted. */
export function checkReading(reading: ProbeReading, arch: Arch): string[] {
  const problems = checkTarget(reading, arch);
  for (const s of reading.structs.values()) if (s) problems.push(...checkStruct(s));
  return problems;
}

export interface PatchChange {
  module: string;
  field: string;
  arch: Arch;
  /** `go1.21` or `v1.60` */
  line: string;
  from: { version: string; offset: number };
  to: { version: string; offset: number };
}

/** The minor line of a version, from offsets/' parsers: `go1.21.13` -> `go1.21`, `v1.60.2` -> `v1.60`. */
function lineOf(version: string): string | undefined {
  try {
    if (version.startsWith('go')) {
      const v = parseGoVersion(version);
      return v.kind === 'release' ? `go${goMinorLine(v)}` : undefined;
    }
    const m = parseModuleVersion(version);
    return m.kind === 'semver' ? `v${m.line}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Offsets that change between two consecutive patch releases of one minor
 * line: legal but rare, so the summary flags them for a human to confirm.
 */
export function patchChanges(observations: readonly Observation[]): PatchChange[] {
  const groups = new Map<string, Observation[]>();
  for (const o of observations) {
    if (o.result.status !== 'ok') continue;
    const line = lineOf(o.version);
    if (!line) continue;
    const key = JSON.stringify([o.module, o.field, o.arch, line]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    if (!g.some((x) => x.version === o.version)) g.push(o);
  }
  const out: PatchChange[] = [];
  for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [module, field, arch, line] = JSON.parse(key) as [string, string, Arch, string];
    g.sort((a, b) => compareTaggedVersions(a.version, b.version));
    for (let i = 1; i < g.length; i++) {
      const a = g[i - 1].result as { offset: number };
      const b = g[i].result as { offset: number };
      if (a.offset !== b.offset) out.push({ module, field, arch, line, from: { version: g[i - 1].version, offset: a.offset }, to: { version: g[i].version, offset: b.offset } });
    }
  }
  return out;
}
