/**
 * Generates the tracker's JSON Schema validators ahead of time (ajv standalone mode),
 * as offsets/generate-validator.ts does for the table: importing and compiling ajv at
 * start-up cost ~180 ms of a ~3 s rerun. Regenerate after editing a schema:
 *   npx tsx tracker/schema/generate-validators.ts
 * (test/tracker/config.test.ts checks that the committed files are up to date).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Options } from 'ajv';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { standaloneValidatorSource } from '../../common/standalone-validator.js';

const here = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Each schema, the generated module, and the ajv options its callers' error reporting relies on. */
export const VALIDATORS: ReadonlyArray<{ schema: string; out: string; options: Options }> = [
  // allErrors: the config loader reports the deepest of all errors (tracker/config.ts bestError).
  { schema: here('config.schema.json'), out: here('config-validator.generated.ts'), options: { allErrors: true, strict: false } },
  { schema: here('go-dev-index.schema.json'), out: here('go-dev-index-validator.generated.ts'), options: { allErrors: false } },
];

export async function generateValidatorSource(v: (typeof VALIDATORS)[number]): Promise<string> {
  const schema = JSON.parse(await readFile(v.schema, 'utf8')) as object;
  const name = v.schema.slice(v.schema.lastIndexOf('/tracker/') + 1);
  return standaloneValidatorSource(schema, v.options, `tracker/schema/generate-validators.ts from ${name}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const v of VALIDATORS) {
    await writeFileAtomic(v.out, await generateValidatorSource(v));
    console.log(`wrote ${v.out}`);
  }
}
