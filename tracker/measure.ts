/**
 * Measuring one probe: build it, keep the binary in the result cache, read the
 * tracked fields from its DWARF, check the reading, and cross-check the
 * build's type descriptors against it. Both the planner's jobs and the Debian
 * module source measure through here. Nothing is written into the caller's
 * state: the outcome comes back with its timings.
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Arch, ObservationResult } from '../offsets/observation.js';
import { checkReading } from './checks.js';
import { crossCheckDescriptors } from './cross-check.js';
import { readProbe } from './read.js';

export interface ProbeTimings {
  buildMs: number;
  readMs: number;
}

export interface ProbeRequest {
  arch: Arch;
  selectors: readonly string[];
  /** Builds the probe and returns the binary's path (in a work directory). */
  build: () => Promise<string>;
  /** Where the binary is kept once built (the result cache's probe path). */
  keep: string;
}

/** Every field's result, or why the probe as a whole cannot be trusted. */
export type ProbeOutcome = { fields: Map<string, ObservationResult> } | { error: string };

export async function measureProbe(req: ProbeRequest): Promise<{ outcome: ProbeOutcome; timings: ProbeTimings }> {
  let t = performance.now();
  const binary = await req.build();
  const buildMs = performance.now() - t;
  t = performance.now();
  // Kept in the cache: the probe is the evidence a check against the DWARF can reread.
  await mkdir(dirname(req.keep), { recursive: true });
  await rename(binary, req.keep);
  const reading = await readProbe(req.keep, req.selectors);
  const readMs = performance.now() - t;
  const timings = { buildMs, readMs };
  const problems = checkReading(reading, req.arch);
  if (problems.length) return { outcome: { error: `checks failed: ${problems.join('; ')}` }, timings };
  // The same build's type descriptors, read as `offsets types` reads a stripped binary, must agree with its DWARF.
  const cross = await crossCheckDescriptors(req.keep, reading);
  if (cross.problems.length) return { outcome: { error: `type descriptors disagree with DWARF (a reader bug): ${cross.problems.join('; ')}` }, timings };
  const fields = new Map<string, ObservationResult>();
  for (const s of req.selectors) {
    const r = reading.fields.get(s);
    fields.set(s, r === null || r === undefined ? { status: 'absent' } : typeof r === 'number' ? { status: 'ok', offset: r } : { status: 'failed', error: r.error });
  }
  return { outcome: { fields }, timings };
}
