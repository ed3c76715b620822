/**
 * Where OpenTelemetry's published offsets table (offset_results.json, the file its
 * Go auto-instrumentation compiles in) is read from: beside the clone, at
 * ../shared/reference/otel/ from the repository root (in CI as here); never
 * copied into the repository. offsets/otel/ reads and writes its layout.
 */
import { fileURLToPath } from 'node:url';

export const OTEL_REFERENCE_PATH = fileURLToPath(new URL('../../../shared/reference/otel/offset_results.json', import.meta.url));
