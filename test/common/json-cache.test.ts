// common/json-cache: a cache file is read back only when it is whole, of the
// expected kind and format, and of the right shape; anything else is reported
// once and treated as absent.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readJsonCache,
  readJsonCacheSync,
  setUnusableCacheReporter,
  writeJsonCache,
  type JsonCacheKind,
} from '../../common/json-cache.js';

interface Entry {
  offsets: number[];
}
const kind: JsonCacheKind<Entry> = {
  name: 'test-entry',
  format: 2,
  check: (d) => typeof d === 'object' && d !== null && Array.isArray((d as Entry).offsets),
};

let dir: string;
const reports: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'json-cache-'));
  setUnusableCacheReporter((path, why) => reports.push(`${path}: ${why}`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('json cache', () => {
  it('reads back what it wrote, async and sync', async () => {
    const path = join(dir, 'ok.json');
    await writeJsonCache(path, kind, { offsets: [8, 16] });
    expect(await readJsonCache(path, kind)).toEqual({ offsets: [8, 16] });
    expect(readJsonCacheSync(path, kind)).toEqual({ offsets: [8, 16] });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ cache: 'test-entry', format: 2 });
  });

  it('a missing file is absent and not reported', async () => {
    const before = reports.length;
    expect(await readJsonCache(join(dir, 'none.json'), kind)).toBeUndefined();
    expect(readJsonCacheSync(join(dir, 'none.json'), kind)).toBeUndefined();
    expect(reports.length).toBe(before);
  });

  const damaged: [string, (whole: string) => string, RegExp][] = [
    ['truncated', (w) => w.slice(0, w.length - 5), /not valid JSON/],
    ['empty', () => '', /not valid JSON/],
    ['bare data from before the envelope', () => JSON.stringify({ offsets: [8] }), /no cache envelope/],
    ['another kind', (w) => w.replace('test-entry', 'other-entry'), /"other-entry" entry/],
    ['an older format', (w) => w.replace('"format":2', '"format":1'), /format 1, not 2/],
    ['the wrong shape', () => JSON.stringify({ cache: 'test-entry', format: 2, data: { offsets: 8 } }), /wrong shape/],
  ];
  for (const [what, damage, why] of damaged) {
    it(`${what}: absent, reported once`, async () => {
      const path = join(dir, `${what.replace(/\W+/g, '-')}.json`);
      await writeJsonCache(path, kind, { offsets: [8, 16] });
      await writeFile(path, damage(await readFile(path, 'utf8')));
      const before = reports.length;
      expect(await readJsonCache(path, kind)).toBeUndefined();
      expect(readJsonCacheSync(path, kind)).toBeUndefined();
      expect(reports.slice(before)).toHaveLength(1);
      expect(reports.at(-1)).toMatch(why);
      expect(reports.at(-1)).toContain(path);
    });
  }
});
