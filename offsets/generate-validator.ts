/**
 * Generates offsets/table-validator.generated.ts: the JSON Schema validator
 * for offsets/table.schema.json, compiled ahead of time by ajv's standalone
 * mode, so loading a table never pays for compiling the schema (hundreds of
 * milliseconds on a busy machine). Regenerate after editing the schema:
 *   npx tsx offsets/generate-validator.ts
 * (test/offsets checks that the committed file is up to date).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomic-write.js';
import { standaloneValidatorSource } from '../common/standalone-validator.js';

export const SCHEMA_PATH = fileURLToPath(new URL('./table.schema.json', import.meta.url));
export const VALIDATOR_PATH = fileURLToPath(new URL('./table-validator.generated.ts', import.meta.url));

export async function generateValidatorSource(): Promise<string> {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as object;
  return standaloneValidatorSource(schema, { strict: true, allErrors: false }, 'offsets/generate-validator.ts from offsets/table.schema.json');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFileAtomic(VALIDATOR_PATH, await generateValidatorSource());
  console.log(`wrote ${VALIDATOR_PATH}`);
}
