// offsets/packaged-table: the packaged table, validated when the package is built, is read
// without its schema check while it keeps the stamp the build wrote; changed since, damaged,
// or without a stamp, it is checked in full as any table is.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStamp } from '../../common/file-stamp.js';
import { buildTable, serializeTable } from '../../offsets/index.js';
import { loadPackagedTable, stampPackagedTable } from '../../offsets/packaged-table.js';
import { errorCode as codeOf } from '../support/error-code.js';

const good = serializeTable(
  buildTable([{ module: 'std', version: 'go1.21.0', source: 'go.dev', arch: 'amd64', field: 'net/http.Request.ctx', result: { status: 'ok', offset: 232 } }]),
);
/** Valid JSON of the right format that the schema refuses (a negative offset). */
const schemaViolation = good.replace('232', '-8');

let dir: string;
let table: string;
let stamp: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'packaged-table-'));
  table = join(dir, 'offsets.json');
  stamp = join(dir, 'offsets.json.validated');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the packaged table', () => {
  it('is stamped by the build only when it validates, and not when it is missing', async () => {
    await rm(stamp, { force: true });
    expect(await stampPackagedTable(join(dir, 'missing.json'), stamp)).toMatch(/nothing to stamp/);
    await writeFile(table, schemaViolation);
    expect(await stampPackagedTable(table, stamp)).toMatch(/not stamped, it does not validate: .*ERR_TABLE_SCHEMA|violates the table schema/);
    expect(existsSync(stamp)).toBe(false);
    await writeFile(table, good);
    expect(await stampPackagedTable(table, stamp)).toMatch(/validated, stamp /);
    expect(readFileSync(stamp, 'utf8').trim()).toBe(fileStamp(statSync(table)));
  });

  it('with its stamp, is read without the schema check; changed since, it is checked in full', async () => {
    await writeFile(table, good);
    await stampPackagedTable(table, stamp);
    expect(loadPackagedTable(table, stamp).table).toEqual(JSON.parse(good));
    // What the stamp vouches for is not checked again (this is what the build saves every command) …
    await writeFile(table, schemaViolation);
    await writeFile(stamp, `${fileStamp(statSync(table))}\n`);
    expect(codeOf(() => loadPackagedTable(table, stamp))).toBeUndefined();
    // … and any change the stamp sees is (a size of its own for each, so that no change can hide in one millisecond).
    await writeFile(table, `${schemaViolation}\n`);
    expect(codeOf(() => loadPackagedTable(table, stamp))).toBe('ERR_TABLE_SCHEMA');
    await writeFile(table, good.slice(0, good.length / 2));
    expect(codeOf(() => loadPackagedTable(table, stamp))).toBe('ERR_TABLE_JSON');
    expect(codeOf(() => loadPackagedTable(join(dir, 'missing.json'), stamp))).toBe('ERR_TABLE_READ');
  });

  it('without a stamp, is checked in full', async () => {
    await writeFile(table, schemaViolation);
    expect(codeOf(() => loadPackagedTable(table, join(dir, 'no-stamp')))).toBe('ERR_TABLE_SCHEMA');
  });
});
