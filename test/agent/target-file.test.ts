// The agent reads its target through a private mapping of the file
// (agent/native/map-file.cc, agent/target-file.ts). Oracle: the bytes
// node:fs reads; a file that cannot be mapped is read on demand, whose
// errors name what is wrong.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loaderAddon } from '../../agent/native.js';
import { openTargetFile } from '../../agent/target-file.js';
import { matrixToolchains } from '../support/toolchains.js';
import { buildApp, hasRegisterAbi, requireAgentPrerequisites, tempFile } from './support.js';

describe('the target file, mapped', () => {
  beforeAll(() => requireAgentPrerequisites());

  it('maps exactly the bytes node:fs reads, and the reader reads the same binary through it', async () => {
    const tc = (await matrixToolchains()).filter(hasRegisterAbi).at(-1)!;
    const path = await buildApp(tc, 'stripped');
    const mapped = loaderAddon().mapFile(path);
    expect(mapped.length).toBe(readFileSync(path).length);
    expect(Buffer.compare(mapped, readFileSync(path))).toBe(0);
    const elf = openTargetFile(path);
    expect(Buffer.compare(Buffer.from(elf.data), readFileSync(path))).toBe(0);
  });

  it('maps an empty file as no bytes, and a missing one is an error naming its path', async () => {
    const empty = await tempFile('empty-target');
    writeFileSync(empty, '');
    expect(loaderAddon().mapFile(empty).length).toBe(0);
    const missing = join(empty, 'nope');
    expect(() => loaderAddon().mapFile(missing)).toThrow(`cannot open ${missing}`);
    expect(() => openTargetFile(missing)).toThrow(/nope/);
  });
});
