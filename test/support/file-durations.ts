// The order in which vitest starts the test files. Two workers share 2 cores,
// so a 40-second file started last leaves one core idle at the end. Vitest
// orders by the durations in its own results cache, but that lives in the
// clone's node_modules: a fresh clone (what CI runs) has none and falls back
// to file size, which puts the slowest files (test/tracker/*, the agent's
// end-to-end files) late. Here each file's last duration is kept in the
// machine's cache, shared by every clone, and the slowest run first.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import type { Reporter, TestModule } from 'vitest/node';
import { cachePath } from '../../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../../common/json-cache.js';

type Durations = Record<string, number>;

const FILE_DURATIONS: JsonCacheKind<Durations> = {
  name: 'test-file-durations',
  format: 1,
  check: (d): d is Durations =>
    typeof d === 'object' && d !== null && !Array.isArray(d) && Object.values(d).every((ms) => typeof ms === 'number' && ms >= 0),
};

function durationsFile(): string {
  return cachePath('test', 'file-durations.json');
}

const keyOf = (root: string, moduleId: string) => relative(root, moduleId);

/** Slowest first by the machine's record; files it does not know yet first of all, in vitest's own order. */
export class FileDurationSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const known = await readJsonCache(durationsFile(), FILE_DURATIONS);
    if (!known) return ordered;
    const root = this.ctx.config.root;
    const ms = (f: TestSpecification) => known[keyOf(root, f.moduleId)] ?? Number.POSITIVE_INFINITY;
    // Array.prototype.sort is stable: ties keep vitest's order.
    return [...ordered].sort((a, b) => ms(b) - ms(a));
  }
}

/** Records each file's time (import and tests) after a run, merged into what other runs recorded. */
export class FileDurationReporter implements Reporter {
  private root = process.cwd();

  onInit(ctx: { config: { root: string } }): void {
    this.root = ctx.config.root;
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const durations: Durations = { ...(await readJsonCache(durationsFile(), FILE_DURATIONS)) };
    for (const m of modules) {
      const d = m.diagnostic();
      if (d.duration > 0 || d.collectDuration > 0) durations[keyOf(this.root, m.moduleId)] = Math.round(d.collectDuration + d.duration);
    }
    await writeJsonCache(durationsFile(), FILE_DURATIONS, durations);
  }
}
