import { KIND } from './layout.js';
import type { RawType } from './walk.js';

export interface TypeStructMember {
  name: string;
  offset: number;
  /** Size of the field's type. */
  size: number;
  /** The field type's descriptor string: package *names*, not paths (`*url.URL`, `context.Context`). */
  typeName: string;
  embedded: boolean;
}

/** A named struct as its descriptor describes it; same shape as gobin/dwarf's StructType. */
export interface TypeStruct {
  /** Full import path, as DWARF names it: `net/http.Request`, `main.Pair[int,string]`. */
  name: string;
  size: number;
  members: TypeStructMember[];
}

export interface StructIndex {
  /** Named structs whose name only one descriptor carries, by full name. */
  byName: Map<string, TypeStruct>;
  /** Their descriptors' addresses. */
  addrs: Map<string, number>;
  /** Full names that several distinct descriptors carry (function-local types): never answered. */
  ambiguous: Map<string, number>;
}

/**
 * `net/http.Request` from the descriptor string `http.Request` and the
 * uncommon type's package path `net/http`: the string's package *name*
 * (everything before its first dot, which a package name cannot contain) is
 * replaced by the path; type arguments (`Pair[int,string]`) are kept as they
 * are. A string that already starts with the path stays as it is: paths of
 * one element (`runtime`), and the compiler's `go.shape` pseudo-package of
 * generic shapes, whose name has a dot.
 */
export function qualifiedName(str: string, pkgPath: string): string | undefined {
  if (!pkgPath) return undefined;
  if (str.startsWith(`${pkgPath}.`)) return str;
  const dot = str.indexOf('.');
  const bracket = str.indexOf('[');
  if (dot <= 0 || (bracket >= 0 && bracket < dot)) return undefined;
  return `${pkgPath}.${str.slice(dot + 1)}`;
}

/**
 * Builds the named structs from the walked descriptors; with `only`, from
 * those descriptors alone (the others are still read for field types).
 */
export function indexStructs(types: Map<number, RawType>, only?: Iterable<number>): StructIndex {
  const byName = new Map<string, TypeStruct>();
  const addrs = new Map<string, number>();
  const ambiguous = new Map<string, number>();
  const candidates = only ? [...only].map((a) => types.get(a)!) : types.values();
  for (const t of candidates) {
    if (t.kind !== KIND.Struct || !t.named || !t.fields) continue;
    const name = qualifiedName(t.str, t.pkgPath);
    if (!name) continue;
    if (ambiguous.has(name)) {
      ambiguous.set(name, ambiguous.get(name)! + 1);
      continue;
    }
    if (byName.has(name)) {
      byName.delete(name);
      addrs.delete(name);
      ambiguous.set(name, 2);
      continue;
    }
    addrs.set(name, t.addr);
    byName.set(name, {
      name,
      size: t.size,
      members: t.fields.map((f) => {
        const ft = types.get(f.type)!;
        return { name: f.name, offset: f.offset, size: ft.size, typeName: ft.str, embedded: f.embedded };
      }),
    });
  }
  return { byName, addrs, ambiguous };
}
