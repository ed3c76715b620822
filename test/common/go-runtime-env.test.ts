// common/go-runtime-env: GO_OFFSETS_GO_PROCS reaches the Go processes that the
// go command starts, through both go environments (the tracker's hermetic one
// and the test fixtures'). The oracle is a Go program that the go command runs
// and that prints its own runtime.GOMAXPROCS(0).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GO_PROCS_ENV, goCommandsToFillCores, goRuntimeEnv, shareCoresAmong } from '../../common/go-runtime-env.js';
import { goEnv as trackerGoEnv } from '../../tracker/build.js';
import { builtCli, requireFreshBuild } from '../support/built-cli.js';
import { goEnv as fixtureGoEnv, matrixToolchains, type Toolchain } from '../support/toolchains.js';

const run = promisify(execFile);
const saved = process.env[GO_PROCS_ENV];
let dir: string;
let tc: Toolchain;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'go-runtime-env-'));
  tc = (await matrixToolchains()).at(-1)!;
  await writeFile(join(dir, 'go.mod'), 'module procs\n\ngo 1.15\n');
  await writeFile(join(dir, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nfunc main() { fmt.Println(runtime.GOMAXPROCS(0)) }\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  if (saved === undefined) delete process.env[GO_PROCS_ENV];
  else process.env[GO_PROCS_ENV] = saved;
});

async function goRunProcs(env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout } = await run(tc.go, ['run', '-trimpath', '.'], { cwd: dir, env, timeout: 300_000 });
  return Number(stdout.trim());
}

describe('GO_OFFSETS_GO_PROCS', () => {
  it('sets GOMAXPROCS of the processes a go command starts, in the tracker and the fixture environments', async () => {
    process.env[GO_PROCS_ENV] = '1';
    expect(await goRunProcs(trackerGoEnv(tc, 'amd64'))).toBe(1);
    expect(await goRunProcs(fixtureGoEnv(tc, { CGO_ENABLED: '0' }))).toBe(1);
  });

  it("leaves Go's default (every core) when unset", async () => {
    delete process.env[GO_PROCS_ENV];
    expect(goRuntimeEnv()).toEqual({ GOGC: '400' });
    expect(await goRunProcs(trackerGoEnv(tc, 'amd64'))).toBe(availableParallelism());
    expect(goCommandsToFillCores()).toBe(1);
  });

  it('fills the cores with as many go commands as the share allows', () => {
    process.env[GO_PROCS_ENV] = '1';
    expect(goCommandsToFillCores()).toBe(availableParallelism());
    process.env[GO_PROCS_ENV] = String(availableParallelism() * 4);
    expect(goCommandsToFillCores()).toBe(1);
  });

  it('shares the cores among go commands side by side, unless the user set it', () => {
    delete process.env[GO_PROCS_ENV];
    shareCoresAmong(1);
    expect(process.env[GO_PROCS_ENV]).toBeUndefined();
    shareCoresAmong(availableParallelism() * 3);
    expect(process.env[GO_PROCS_ENV]).toBe('1');
    process.env[GO_PROCS_ENV] = '7';
    shareCoresAmong(2);
    expect(process.env[GO_PROCS_ENV]).toBe('7');
  });

  it('rejects a value that is not a whole number of cores, naming the variable and the value', () => {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      process.env[GO_PROCS_ENV] = bad;
      const message = `${GO_PROCS_ENV} must be a whole number of cores, 1 or more; it is "${bad}"`;
      expect(() => goRuntimeEnv()).toThrow(message);
      expect(() => shareCoresAmong(2)).toThrow(expect.objectContaining({ code: 'ERR_GO_PROCS', message }));
    }
  });

  it('offsets-tracker run refuses a bad value before any work, as bad input (exit 1)', async () => {
    requireFreshBuild('dist/bundle/offsets-tracker.js', ['common/go-runtime-env.ts', 'tracker/cli.ts']);
    process.env[GO_PROCS_ENV] = 'two';
    const r = await builtCli('offsets-tracker', 'run', '--concurrency', '2', '--source', 'dir:/nonexistent', '--out', join(dir, 'never.json'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `offsets-tracker: ERR_GO_PROCS: ${GO_PROCS_ENV} must be a whole number of cores, 1 or more; it is "two"\n` });
  });
});
