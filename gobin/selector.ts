import { GobinError } from './errors.js';

/**
 * Splits `pkgpath.Type.field` at its last dot: field names have no dots, while
 * package paths (`gopkg.in/yaml.v3`) and type arguments (`Pair[net/url.URL]`) may.
 * Shared by the DWARF and the type-descriptor readers.
 */
export function parseSelector(selector: string): { type: string; field: string } {
  const dot = selector.lastIndexOf('.');
  const field = selector.slice(dot + 1);
  const type = selector.slice(0, Math.max(dot, 0));
  if (dot <= 0 || !field || /[\]\[/ ]/.test(field)) {
    throw new GobinError('ERR_BAD_SELECTOR', `selector ${JSON.stringify(selector)} is not of the form pkgpath.Type.field`);
  }
  return { type, field };
}
