/**
 * What a run changed, for people: new versions, new and changed offsets,
 * failures, patch-release offset changes. Printed as text, and as Markdown
 * for a pull-request body.
 */
import type { Observation } from '../offsets/observation.js';
import { patchChanges, type PatchChange } from './checks.js';

export interface RunSummary {
  newVersions: string[];
  newOffsets: string[];
  changedOffsets: string[];
  failures: string[];
  patchChanges: PatchChange[];
  /** Sources or module lists that could not be reached. */
  problems: string[];
}

const key = (o: Observation) => `${o.module}@${o.version} ${o.arch} ${o.field}`;
const show = (o: Observation) => (o.result.status === 'ok' ? String(o.result.offset) : o.result.status);

export function summarize(before: readonly Observation[], after: readonly Observation[], problems: string[] = []): RunSummary {
  const old = new Map(before.map((o) => [key(o), o]));
  const oldVersions = new Set(before.map((o) => `${o.module}@${o.version}`));
  const newVersions = new Set<string>();
  const newOffsets = new Set<string>();
  const changedOffsets = new Set<string>();
  const failures = new Set<string>();
  for (const o of after) {
    const mv = `${o.module}@${o.version}`;
    if (!oldVersions.has(mv)) newVersions.add(mv);
    const prev = old.get(key(o));
    if (o.result.status === 'failed') {
      failures.add(`${key(o)}: ${o.result.error.split('\n')[0]}`);
      continue;
    }
    if (!prev || prev.result.status === 'failed') newOffsets.add(`${key(o)} = ${show(o)}`);
    else if (show(prev) !== show(o)) changedOffsets.add(`${key(o)}: ${show(prev)} -> ${show(o)}`);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    newVersions: sorted(newVersions),
    newOffsets: sorted(newOffsets),
    changedOffsets: sorted(changedOffsets),
    failures: sorted(failures),
    patchChanges: patchChanges(after),
    problems: [...problems].sort(),
  };
}

function patchLine(c: PatchChange): string {
  return `${c.module} ${c.field} (${c.arch}): ${c.from.offset} in ${c.from.version}, ${c.to.offset} in ${c.to.version}`;
}

const LIST_LIMIT = 200;
function section(title: string, items: string[]): string[] {
  if (!items.length) return [];
  const shown = items.slice(0, LIST_LIMIT).map((i) => `- \`${i.replaceAll('`', "'")}\``);
  if (items.length > LIST_LIMIT) shown.push(`- ... and ${items.length - LIST_LIMIT} more`);
  return [`### ${title} (${items.length})`, '', ...shown, ''];
}

/** Markdown for a pull-request body. */
export function summaryMarkdown(s: RunSummary): string {
  const changed = s.newVersions.length + s.newOffsets.length + s.changedOffsets.length;
  return [
    '## Offsets table update',
    '',
    changed ? `${s.newVersions.length} new versions, ${s.newOffsets.length} new and ${s.changedOffsets.length} changed offsets, ${s.failures.length} failures.` : `No change; ${s.failures.length} failures.`,
    '',
    ...section('Offsets that changed between patch releases (please confirm)', s.patchChanges.map(patchLine)),
    ...section('Changed offsets', s.changedOffsets),
    ...section('Failures (retried next run)', s.failures),
    ...section('New versions', s.newVersions),
    ...section('New offsets', s.newOffsets),
    ...section('Sources skipped', s.problems),
  ].join('\n');
}
