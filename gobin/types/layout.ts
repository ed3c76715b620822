import { GobinError } from '../errors.js';

/**
 * What changes between Go releases in the runtime's type metadata, for 64-bit
 * targets (amd64, arm64). Each entry was read from that release's
 * runtime/symtab.go (moduledata), runtime/type.go or internal/abi/type.go.
 */
export interface TypesLayout {
  /** Go minor version (15 for go1.15.x). */
  minor: number;
  /** Names: uvarint lengths since Go 1.17; before, 2-byte big-endian lengths. */
  varintNames: boolean;
  /** Struct fields: plain offset + "embedded" flag in the name since Go 1.19; before, `offset<<1 | embedded`. */
  embeddedInName: boolean;
  /** Bytes of a map type after the common header (for the uncommon type that follows it). */
  mapExtra: number;
  /** Word indexes (pointer-sized) of runtime.moduledata fields. */
  md: {
    /** The word holding the pclntab address (pcHeader, or pclntable's pointer before 1.16). */
    pclntab: number;
    /** minpc (maxpc follows). */
    minpc: number;
    /** text (etext follows). */
    text: number;
    types: number;
    etypes: number;
    /** Slices (pointer, length, capacity) of type offsets and itab pointers; gone in Go 1.27. */
    typelinks?: number;
    itablinks?: number;
    /** Go 1.27+: bytes of the typelink descriptors at the start of the types area (itaboffset, itabsize follow etypes). */
    typedesclen?: number;
    itaboffset?: number;
    /** Words the struct has at least (the scan needs room for them). */
    words: number;
  };
}

export const PTR = 8;
/** abi.Type / runtime._type on 64-bit targets. */
export const TYPE_HEADER = 48;
export const UNCOMMON_SIZE = 16;
export const METHOD_SIZE = 16;
export const IMETHOD_SIZE = 8;
export const FIELD_SIZE = 24;

/** The oldest and newest Go minor versions whose layout is known. */
export const MIN_MINOR = 15;
export const MAX_MINOR = 27;

/** `go1.21.13`, `go1.20.7 X:boringcrypto`, `devel go1.23-abc…` → 21; undefined when no go1.N is found. */
export function goMinor(goVersion: string): number | undefined {
  const m = /go1\.(\d+)/.exec(goVersion);
  return m ? Number(m[1]) : undefined;
}

/**
 * The layout for a Go version. `goexperiment` is the buildinfo's GOEXPERIMENT
 * setting: Go 1.24 and 1.25 can still be built with the old maps (noswissmap).
 */
export function typesLayout(goVersion: string, goexperiment = ''): TypesLayout {
  const minor = goMinor(goVersion);
  if (minor === undefined || minor < MIN_MINOR || minor > MAX_MINOR) {
    throw new GobinError('ERR_TYPES_UNSUPPORTED', `type descriptors of ${JSON.stringify(goVersion)} are not read: known layouts are Go 1.${MIN_MINOR} to 1.${MAX_MINOR}`);
  }
  return {
    minor,
    varintNames: minor >= 17,
    embeddedInName: minor >= 19,
    mapExtra: mapExtra(minor, goexperiment),
    md: moduleDataWords(minor),
  };
}

/**
 * Key, Elem, Bucket/Group, Hasher; then before 1.24 keysize..flags (8 bytes);
 * 1.24-1.26 (swiss tables) GroupSize, SlotSize, ElemOff and Flags uint32 padded
 * (32 bytes); 1.27 GroupSize, KeysOff, KeyStride, ElemsOff, ElemStride, ElemOff
 * and Flags padded (56 bytes).
 */
function mapExtra(minor: number, goexperiment: string): number {
  if (minor < 24 || (minor < 26 && /(^|,)noswissmap($|,)/.test(goexperiment))) return 32 + 8;
  return minor < 27 ? 32 + 32 : 32 + 56;
}

function moduleDataWords(minor: number): TypesLayout['md'] {
  // Go 1.15: pclntable, ftab, filetab (slices), findfunctab, minpc, maxpc, text, etext,
  // 5 pairs of section bounds, end, gcdata, gcbss, types, etypes, textsectmap, typelinks, itablinks.
  if (minor === 15) return { pclntab: 0, minpc: 10, text: 12, types: 25, etypes: 26, typelinks: 30, itablinks: 33, words: 36 };
  // 1.16: pcHeader and six slices before findfunctab; same tail.
  if (minor <= 17) return { pclntab: 0, minpc: 20, text: 22, types: 35, etypes: 36, typelinks: 40, itablinks: 43, words: 46 };
  // 1.18: rodata and gofunc after etypes.
  if (minor <= 19) return { pclntab: 0, minpc: 20, text: 22, types: 35, etypes: 36, typelinks: 42, itablinks: 45, words: 48 };
  // 1.20: covctrs, ecovctrs before end.
  if (minor <= 25) return { pclntab: 0, minpc: 20, text: 22, types: 37, etypes: 38, typelinks: 44, itablinks: 47, words: 50 };
  // 1.26: epclntab after gofunc.
  if (minor === 26) return { pclntab: 0, minpc: 20, text: 22, types: 37, etypes: 38, typelinks: 45, itablinks: 48, words: 51 };
  // 1.27: types, typedesclen, etypes, itaboffset, itabsize, rodata, gofunc, epclntab, textsectmap; no link slices.
  return { pclntab: 0, minpc: 20, text: 22, types: 37, typedesclen: 38, etypes: 39, itaboffset: 40, words: 48 };
}

/** reflect.Kind values (internal/abi Kind; the low 5 bits of the kind byte). */
export const KIND = {
  Bool: 1,
  UnsafePointer: 26,
  Array: 17,
  Chan: 18,
  Func: 19,
  Interface: 20,
  Map: 21,
  Pointer: 22,
  Slice: 23,
  String: 24,
  Struct: 25,
} as const;
export const KIND_MASK = 0x1f;

/**
 * Bytes of a descriptor's kind-specific part after the common header (where
 * the uncommon type starts), or undefined for a kind byte that is no kind.
 */
export function kindExtra(kind: number, layout: TypesLayout): number | undefined {
  switch (kind) {
    case KIND.Array:
      return 3 * PTR; // Elem, Slice, Len
    case KIND.Chan:
      return 2 * PTR; // Elem, Dir
    case KIND.Func:
      return PTR; // InCount, OutCount uint16, padded
    case KIND.Interface:
    case KIND.Struct:
      return 4 * PTR; // PkgPath name, then a slice of methods / fields
    case KIND.Map:
      return layout.mapExtra;
    case KIND.Pointer:
    case KIND.Slice:
      return PTR; // Elem
    default:
      return kind >= KIND.Bool && kind <= KIND.UnsafePointer ? 0 : undefined;
  }
}
