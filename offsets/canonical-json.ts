/**
 * Canonical, diff-friendly JSON: object keys sorted by code unit, two-space
 * indentation, and arrays of scalars on one line (a run, a version entry), so
 * that a regenerated table differs from the old one only where data changed,
 * one line per changed run.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '') + '\n';
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function write(value: unknown, indent: string): string {
  if (isScalar(value)) return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return JSON.stringify(value);
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value as object).sort(compareCodeUnits);
  if (keys.length === 0) return '{}';
  const lines = keys.map((k) => `${inner}${JSON.stringify(k)}: ${write((value as Record<string, unknown>)[k], inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** Locale-independent string order, the same on every machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
