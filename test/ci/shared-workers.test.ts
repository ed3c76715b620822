// Test files share their worker processes (vitest.config.ts, isolate: false), and
// with them one module graph. A module mocked for a whole file (vi.mock) is not
// applied when another file loaded the module first, and a mocked graph left in
// place reaches the files after it: both made the suite's result depend on the
// order of its files. So no file mocks a module for the whole file, and a test
// that mocks one for itself (vi.doMock) resets the graph after undoing it.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

async function testFiles(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  // This file's own negative control spells out the calls it looks for.
  return entries.filter((f) => f.endsWith('.test.ts') && f !== join('ci', 'shared-workers.test.ts')).sort();
}

/** What breaks the rule in a test file's text: one line per problem. */
function problems(text: string): string[] {
  const out: string[] = [];
  // The calls, not words in comments: `vi.mock(` at a call site.
  const code = text.replace(/^\s*\/\/.*$/gm, '');
  if (/\bvi\.mock\(/.test(code)) out.push('vi.mock: a module mocked for the whole file');
  const doMocks = code.split(/\bvi\.doMock\(/).length - 1;
  const resets = code.split(/\bvi\.doUnmock\([^)]*\);\s*vi\.resetModules\(\)/).length - 1;
  if (doMocks > resets) out.push(`vi.doMock ${doMocks} time(s), but vi.doUnmock followed by vi.resetModules() only ${resets}`);
  return out;
}

describe('test files that share a worker', () => {
  it('mock no module for a whole file, and reset the module graph after a mock of their own', async () => {
    const files = await testFiles();
    expect(files.length).toBeGreaterThan(50);
    const found: Record<string, string[]> = {};
    for (const f of files) {
      const p = problems(await readFile(join(root, f), 'utf8'));
      if (p.length) found[f] = p;
    }
    expect(found).toEqual({});
  });

  it('the check finds both kinds of problem (negative control)', () => {
    expect(problems("vi.mock('../x.js', () => ({}));")).toHaveLength(1);
    expect(problems("vi.doMock('../x.js', () => ({}));\nvi.doUnmock('../x.js');")).toHaveLength(1);
    expect(problems("vi.doMock('../x.js', () => ({}));\nvi.doUnmock('../x.js');\nvi.resetModules();")).toEqual([]);
    expect(problems('// vi.mock( in a comment')).toEqual([]);
  });
});
