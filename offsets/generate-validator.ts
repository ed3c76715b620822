/**
 * Generates the JSON Schema validators of offsets/, compiled ahead of time by
 * ajv's standalone mode, so loading a table never pays for compiling a schema
 * (hundreds of milliseconds on a busy machine):
 * - offsets/table-validator.generated.ts from offsets/table.schema.json (our table);
 * - offsets/otel/otel-validator.generated.ts from offsets/otel/otel.schema.json
 *   (OpenTelemetry's offsets file).
 * Regenerate after editing a schema:
 *   npx tsx offsets/generate-validator.ts
 * (test/offsets checks that the committed files are up to date).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomic-write.js';
import { standaloneValidatorSource } from '../common/standalone-validator.js';

const here = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export const SCHEMA_PATH = here('table.schema.json');
export const VALIDATOR_PATH = here('table-validator.generated.ts');
export const OTEL_SCHEMA_PATH = here('otel/otel.schema.json');
export const OTEL_VALIDATOR_PATH = here('otel/otel-validator.generated.ts');

async function source(schemaPath: string, name: string): Promise<string> {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as object;
  return standaloneValidatorSource(schema, { strict: true, allErrors: false }, `offsets/generate-validator.ts from ${name}`);
}

export async function generateValidatorSource(): Promise<string> {
  return source(SCHEMA_PATH, 'offsets/table.schema.json');
}

export async function generateOtelValidatorSource(): Promise<string> {
  return source(OTEL_SCHEMA_PATH, 'offsets/otel/otel.schema.json');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFileAtomic(VALIDATOR_PATH, await generateValidatorSource());
  console.log(`wrote ${VALIDATOR_PATH}`);
  await writeFileAtomic(OTEL_VALIDATOR_PATH, await generateOtelValidatorSource());
  console.log(`wrote ${OTEL_VALIDATOR_PATH}`);
}
