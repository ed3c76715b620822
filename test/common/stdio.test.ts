// common/stdio: what the CLIs print, written straight to the descriptors. printJsonArray writes
// in pieces the very bytes of JSON.stringify(rows) and a newline, whatever the number of rows.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireFreshBuild } from '../support/built-cli.js';

const STDIO = pathToFileURL(join(repoRoot, 'dist/common/stdio.js')).href;

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ type: `p/q.T${i % 7}`, field: i % 3 ? `f${i}` : 'Ünïcode "quoted" \\ field', offset: i % 5 ? i * 8 : null, size: 8 }));

/** stdout of a fresh node that prints `rows(n)` with printJsonArray. */
function printed(n: number): string {
  const body = `import { printJsonArray } from ${JSON.stringify(STDIO)};
    const rows = ${rows.toString()};
    printJsonArray(rows(${n}));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

beforeAll(() => requireFreshBuild('dist/common/stdio.js', ['common/stdio.ts']));

describe('printJsonArray', () => {
  it.each([0, 1, 511, 512, 513, 1024, 2500])('%i rows: the bytes of JSON.stringify and a newline', (n) => {
    expect(printed(n)).toBe(`${JSON.stringify(rows(n))}\n`);
  });
});
