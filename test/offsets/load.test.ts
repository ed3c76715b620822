import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTable, loadTable, parseTable, serializeTable, TABLE_FORMAT_VERSION } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import { syntheticObservations } from './synthetic.js';

const obs: Observation[] = [
  { module: 'std', version: 'go1.21.0', source: 'go.dev', arch: 'amd64', field: 'net/http.Request.ctx', result: { status: 'ok', offset: 232 } },
  { module: 'std', version: 'go1.21.1', source: 'go.dev', arch: 'amd64', field: 'net/http.Request.ctx', result: { status: 'ok', offset: 232 } },
];
const good = serializeTable(buildTable(obs));

function mutate(edit: (doc: any) => void): string {
  const doc = JSON.parse(good);
  edit(doc);
  return JSON.stringify(doc);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('parseTable', () => {
  it('accepts what serializeTable writes', () => {
    expect(parseTable(good)).toEqual(JSON.parse(good));
  });

  it.each([
    ['truncated JSON', good.slice(0, good.length / 2), 'ERR_TABLE_JSON'],
    ['not JSON', 'garbage', 'ERR_TABLE_JSON'],
    ['another document', '{"hello": 1}', 'ERR_TABLE_FORMAT'],
    ['an array', '[]', 'ERR_TABLE_FORMAT'],
    ['another format version', mutate((d) => (d.formatVersion = TABLE_FORMAT_VERSION + 1)), 'ERR_TABLE_FORMAT'],
    ['an unknown top-level key', mutate((d) => (d.extra = true)), 'ERR_TABLE_SCHEMA'],
    ['a negative offset', mutate((d) => (d.modules.std.fields['net/http.Request.ctx'].runs[0][2] = -8)), 'ERR_TABLE_SCHEMA'],
    ['a fractional offset', mutate((d) => (d.modules.std.fields['net/http.Request.ctx'].runs[0][2] = 8.5)), 'ERR_TABLE_SCHEMA'],
    ['a run of two items', mutate((d) => d.modules.std.fields['net/http.Request.ctx'].runs[0].pop()), 'ERR_TABLE_SCHEMA'],
    ['an unknown arch', mutate((d) => (d.modules.std.archs = ['mips'])), 'ERR_TABLE_SCHEMA'],
    ['a version without source', mutate((d) => (d.modules.std.versions[0] = ['go1.21.0'])), 'ERR_TABLE_SCHEMA'],
    ['runs and byArch together', mutate((d) => (d.modules.std.fields['net/http.Request.ctx'].byArch = { amd64: [['go1.21.0', 'go1.21.0', 1]] })), 'ERR_TABLE_SCHEMA'],
    ['a run naming an unlisted version', mutate((d) => (d.modules.std.fields['net/http.Request.ctx'].runs[0][1] = 'go1.21.7')), 'ERR_TABLE_INCONSISTENT'],
    ['a reversed run', mutate((d) => (d.modules.std.fields['net/http.Request.ctx'].runs[0] = ['go1.21.1', 'go1.21.0', 232])), 'ERR_TABLE_INCONSISTENT'],
    ['versions out of order', mutate((d) => d.modules.std.versions.reverse()), 'ERR_TABLE_INCONSISTENT'],
    ['a non-canonical version', mutate((d) => (d.modules.std.versions[0][0] = 'go1.21')), 'ERR_TABLE_INCONSISTENT'],
    ['a malformed version', mutate((d) => (d.modules.std.versions[0][0] = 'gofoo')), 'ERR_TABLE_INCONSISTENT'],
  ])('rejects %s', (_what, text, code) => {
    expect(codeOf(() => parseTable(text, 'offsets.json'))).toBe(code);
  });

  it('names the file and the format versions in the message', () => {
    expect(() => parseTable(mutate((d) => (d.formatVersion = 2)), 'x/offsets.json')).toThrow(/x\/offsets\.json: table format version 2, this build reads version 1/);
  });
});

describe('the published JSON Schema', () => {
  it('is a valid schema that accepts a full-size table', async () => {
    const schema = JSON.parse(await readFile(new URL('../../offsets/table.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv.default({ strict: true }).compile(schema);
    expect(validate(JSON.parse(serializeTable(buildTable(syntheticObservations()))))).toBe(true);
    expect(validate({ format: 'go-offsets-table', formatVersion: 1, modules: { std: { archs: [], versions: [], fields: {} } } })).toBe(false);
  });
});

describe('loadTable', () => {
  const dir = mkdtemp(join(tmpdir(), 'offsets-load-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('reads and validates a file', async () => {
    const path = join(await dir, 'ok.json');
    await writeFile(path, good);
    expect(serializeTable(await loadTable(path))).toBe(good);
  });
  it('gives ERR_TABLE_READ for a missing file and names it', async () => {
    const path = join(await dir, 'missing.json');
    await expect(loadTable(path)).rejects.toMatchObject({ code: 'ERR_TABLE_READ', message: expect.stringContaining(path) });
  });
});

describe('the precompiled schema validator', () => {
  it('is generated from the current offsets/table.schema.json', async () => {
    const { generateValidatorSource, VALIDATOR_PATH } = await import('../../offsets/generate-validator.js');
    expect(await readFile(VALIDATOR_PATH, 'utf8')).toBe(await generateValidatorSource());
  });
});
