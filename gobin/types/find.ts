import { KIND, KIND_MASK, PTR, type TypesLayout } from './layout.js';
import type { TypeSpace } from './space.js';
import { qualifiedName } from './structs.js';
import type { DescriptorWalker } from './walk.js';

/** abi.Type's `str` (a name offset from the start of the types area) on 64-bit targets. */
const STR_AT = 40;
const TFLAG_NAMED = 1 << 2;
/** Go identifiers as the compiler's ASCII names have them (a non-ASCII one just takes the whole walk). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The descriptor string of the named type `pkgPath.typeName`, as the compiler
 * writes it: `*http.Request`. A named type T shares its string with *T (the
 * leading star is skipped through tflag ExtraStar), and the string holds the
 * package *name*, which is not recorded anywhere else. It is taken to be the
 * path's last element (before a `/vN` major-version suffix), as Go's
 * convention wants; undefined when that or the type name is not an
 * identifier: generic instantiations (whose type arguments are spelled with
 * package names too) and the compiler's `go.shape` types need the whole walk.
 */
export function descriptorString(pkgPath: string, typeName: string): string | undefined {
  if (!IDENTIFIER.test(typeName)) return undefined;
  const elems = pkgPath.split('/');
  let pkgName = elems[elems.length - 1];
  if (/^v\d+$/.test(pkgName) && elems.length > 1) pkgName = elems[elems.length - 2];
  if (!IDENTIFIER.test(pkgName)) return undefined;
  return `*${pkgName}.${typeName}`;
}

/** The bytes of a runtime name's length and text, as they follow its flags byte. */
function encodedName(text: string, varint: boolean): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const len: number[] = [];
  if (varint) {
    let n = bytes.length;
    while (n >= 0x80) {
      len.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    len.push(n);
  } else {
    len.push(bytes.length >> 8, bytes.length & 0xff);
  }
  return Buffer.concat([Buffer.from(len), bytes]);
}

function* matches(haystack: Buffer, needle: Buffer): Generator<number> {
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) yield i;
}

/**
 * Finds the descriptors of the named structs `wanted` (full names, as
 * `net/http.Request`) without walking the type graph: their string is looked
 * up among the names of the types area, then the descriptors whose `str`
 * holds that name's offset. Every candidate is decoded and kept only when its
 * kind is Struct and its package path and string give the wanted name, so a
 * chance match in other bytes is never taken for a descriptor. Several
 * descriptors of one name (function-local types) are all returned, for the
 * index to report as ambiguous, as the whole walk does.
 *
 * Returns the addresses of the structs' descriptors (field types are decoded
 * into the walker too), or undefined when some wanted name cannot be looked
 * up this way.
 */
export function findStructDescriptors(
  space: TypeSpace,
  layout: TypesLayout,
  area: { types: number; etypes: number },
  walker: DescriptorWalker,
  wanted: Iterable<{ pkgPath: string; typeName: string }>,
): number[] | undefined {
  // Descriptor string → the full names that have it (`sync/atomic.align64` and
  // `internal/runtime/atomic.align64` are both `*atomic.align64`).
  const want = new Map<string, Set<string>>();
  for (const { pkgPath, typeName } of wanted) {
    const str = descriptorString(pkgPath, typeName);
    if (str === undefined) return undefined;
    want.set(str, (want.get(str) ?? new Set()).add(`${pkgPath}.${typeName}`));
  }
  if (!space.contains(area.types, area.etypes - area.types)) return undefined;
  const bytes = space.bytes(area.types, area.etypes - area.types, 'types area');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Name offset → the full names whose descriptor string is there.
  const byNameOff = new Map<number, Set<string>>();
  for (const [str, fullNames] of want) {
    for (const at of matches(buf, encodedName(str, layout.varintNames))) {
      const nameOff = at - 1; // the flags byte precedes the length
      if (nameOff > 0) byNameOff.set(nameOff, fullNames);
    }
  }
  if (byNameOff.size === 0) return [];
  // One pass over the pointer-aligned descriptor slots for their `str` (an indexOf of a
  // 4-byte needle full of zero bytes is slower than this).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: number[] = [];
  const first = (PTR - (area.types % PTR)) % PTR;
  for (let rel = first; rel + STR_AT + 4 <= bytes.length; rel += PTR) {
    const fullNames = byNameOff.get(view.getInt32(rel + STR_AT, true));
    if (!fullNames) continue;
    const d = area.types + rel;
    if ((space.u8(d + 23, 'type kind') & KIND_MASK) !== KIND.Struct || !(space.u8(d + 20, 'type tflag') & TFLAG_NAMED)) continue;
    const t = walker.decodeOnly(d, 'struct', d);
    if (!fullNames.has(qualifiedName(t.str, t.pkgPath) ?? '')) continue;
    for (const f of t.fields ?? []) walker.decodeOnly(f.type, 'field type', d);
    found.push(d);
  }
  return found;
}
