// Debian version ordering, checked against dpkg itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from '../../debian/version.js';

const run = promisify(execFile);

async function dpkgOrder(a: string, b: string): Promise<number> {
  const is = (op: string) => run('dpkg', ['--compare-versions', a, op, b]).then(() => true, () => false);
  if (await is('lt')) return -1;
  if (await is('gt')) return 1;
  return 0;
}

const sign = (n: number) => Math.sign(n);

describe('compareDebianVersions', () => {
  it('orders the Go package versions seen in the archive as dpkg does', async () => {
    const versions = ['1.15.15-1~deb11u4', '1.19.8-2', '1.21.13-1~bpo12+1', '1.21.13-1', '1.22.12-3~bpo12+1', '1.24.4-1', '1.26.10-1', '1:1.0-1', '1.27~rc1-1', '1.27-1'];
    for (const a of versions) for (const b of versions) expect(sign(compareDebianVersions(a, b)), `${a} vs ${b}`).toBe(await dpkgOrder(a, b));
  });

  it('agrees with dpkg on random versions (epochs, ~, letters, revisions)', async () => {
    const part = fc.stringMatching(/^[0-9][0-9a-z.~+]{0,6}$/);
    const version = fc.tuple(fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), part, fc.option(fc.stringMatching(/^[0-9a-z][0-9a-z.~+]{0,4}$/), { nil: undefined }))
      .map(([e, u, r]) => `${e !== undefined ? `${e}:` : ''}${u}${r !== undefined ? `-${r}` : ''}`);
    await fc.assert(
      fc.asyncProperty(version, version, async (a, b) => {
        expect(sign(compareDebianVersions(a, b)), `${a} vs ${b}`).toBe(await dpkgOrder(a, b));
      }),
      { numRuns: 100 },
    );
  });
});
