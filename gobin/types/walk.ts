import { FIELD_SIZE, IMETHOD_SIZE, KIND, KIND_MASK, METHOD_SIZE, PTR, TYPE_HEADER, UNCOMMON_SIZE, kindExtra, type TypesLayout } from './layout.js';
import { NameReader } from './name.js';
import type { TypeSpace } from './space.js';

const TFLAG_UNCOMMON = 1 << 0;
const TFLAG_EXTRA_STAR = 1 << 1;
const TFLAG_NAMED = 1 << 2;

export interface RawField {
  name: string;
  /** Address of the field's type descriptor. */
  type: number;
  offset: number;
  embedded: boolean;
}

/** One decoded type descriptor. */
export interface RawType {
  addr: number;
  kind: number;
  size: number;
  /** The descriptor's string: package *names* (`http.Request`), not paths. */
  str: string;
  named: boolean;
  /** The uncommon type's package path (`net/http`), for named types; '' otherwise. */
  pkgPath: string;
  /** Struct fields, for kind Struct. */
  fields?: RawField[];
}

/**
 * Reads every descriptor reachable from `roots` (typelinks and itab types):
 * through element, key and bucket/group types, struct fields, function
 * parameters and results, interface methods, the methods of named types
 * (uncommon type) and pointer-to-this. Each address is decoded once (the
 * graph is cyclic: `*T` points to T, T's ptrToThis to `*T`), every
 * descriptor must lie in [types, etypes), and the elements read in total
 * (fields, methods, parameters) may not exceed what the types area can hold,
 * so a hostile count or a graph of overlapping descriptors ends in an error,
 * never a hang.
 */
export class DescriptorWalker {
  readonly types = new Map<number, RawType>();
  private readonly names: NameReader;
  private budget: number;
  private readonly queue: number[] = [];

  constructor(
    private readonly space: TypeSpace,
    private readonly layout: TypesLayout,
    private readonly area: { types: number; etypes: number },
  ) {
    this.names = new NameReader(space, layout.varintNames);
    this.budget = Math.ceil((area.etypes - area.types) / IMETHOD_SIZE) + 1024;
  }

  /** Decodes `addrs` and everything reachable from them; returns how many descriptors are known. */
  walk(addrs: Iterable<number>, from = 'type link'): number {
    for (const a of addrs) this.push(a, from, a);
    for (let next = this.queue.pop(); next !== undefined; next = this.queue.pop()) {
      if (!this.types.has(next)) this.decode(next);
    }
    return this.types.size;
  }

  /**
   * Decodes the descriptor at `addr` alone, following nothing it points to
   * (the targeted read of a few structs, gobin/types/find.ts).
   */
  decodeOnly(addr: number, what: string, at: number): RawType {
    const known = this.types.get(addr);
    if (known) return known;
    this.push(addr, what, at);
    this.queue.length = 0;
    this.decode(addr);
    this.queue.length = 0;
    return this.types.get(addr)!;
  }

  /** The name at a name offset from the start of the types area. */
  nameOff(off: number, at: number): string {
    const addr = this.area.types + off;
    if (off <= 0 || addr >= this.area.etypes) this.space.fail('ERR_TYPES_MALFORMED', `name offset ${off} outside the types area`, at);
    return this.names.at(addr).name;
  }

  /** Queues a type pointer read at `at`; 0 is "none". */
  private push(addr: number, what: string, at: number): void {
    if (addr === 0 || this.types.has(addr)) return;
    if (addr < this.area.types || addr + TYPE_HEADER > this.area.etypes) {
      this.space.fail('ERR_TYPES_MALFORMED', `${what} points to 0x${addr.toString(16)}, outside the types area [0x${this.area.types.toString(16)}, 0x${this.area.etypes.toString(16)})`, at);
    }
    this.queue.push(addr);
  }

  /** Queues a type offset (typeOff) read at `at`; 0 and -1 are "none" (-1: a method the linker dropped). */
  private pushOff(off: number, what: string, at: number): void {
    if (off === 0 || off === -1) return;
    this.push(this.area.types + off, what, at);
  }

  private spend(n: number, at: number): void {
    this.budget -= n;
    if (this.budget < 0) this.space.fail('ERR_TYPES_MALFORMED', 'descriptors list more fields, methods and parameters than the types area can hold', at);
  }

  private decode(a: number): void {
    const s = this.space;
    const size = s.word(a, 'type size');
    const tflag = s.u8(a + 20, 'type tflag');
    const kind = s.u8(a + 23, 'type kind') & KIND_MASK;
    const strOff = s.i32(a + 40, 'type string');
    let str = strOff === 0 ? '' : this.nameOff(strOff, a + 40);
    if (tflag & TFLAG_EXTRA_STAR && str.startsWith('*')) str = str.slice(1);
    const t: RawType = { addr: a, kind, size, str, named: (tflag & TFLAG_NAMED) !== 0, pkgPath: '' };
    this.types.set(a, t);
    this.pushOff(s.i32(a + 44, 'ptrToThis'), 'ptrToThis', a + 44);

    const x = a + TYPE_HEADER;
    const extra = kindExtra(kind, this.layout) ?? s.fail('ERR_TYPES_MALFORMED', `type descriptor with invalid kind ${kind}`, a + 23);
    switch (kind) {
      case KIND.Array:
        this.push(s.pointer(x, 'array elem'), 'array elem', x);
        this.push(s.pointer(x + PTR, 'array slice'), 'array slice type', x + PTR);
        break;
      case KIND.Chan:
      case KIND.Pointer:
      case KIND.Slice:
        this.push(s.pointer(x, 'elem'), 'elem', x);
        break;
      case KIND.Map:
        for (let i = 0; i < 3; i++) this.push(s.pointer(x + i * PTR, 'map key/elem/bucket'), 'map key/elem/bucket', x + i * PTR);
        break;
      case KIND.Interface:
        this.interfaceMethods(x + PTR);
        break;
      case KIND.Struct:
        t.fields = this.fields(x + PTR);
        break;
    }
    const uncommon = tflag & TFLAG_UNCOMMON ? x + extra : 0;
    if (uncommon) this.uncommon(t, uncommon);
    if (kind === KIND.Func) this.params(x, uncommon ? x + extra + UNCOMMON_SIZE : x + extra);
  }

  private uncommon(t: RawType, u: number): void {
    const s = this.space;
    const pkg = s.i32(u, 'uncommon pkgpath');
    if (pkg !== 0) t.pkgPath = this.nameOff(pkg, u);
    const mcount = s.u16(u + 4, 'uncommon mcount');
    const moff = s.u32(u + 8, 'uncommon moff');
    if (mcount === 0) return;
    this.spend(mcount, u + 4);
    const m0 = u + moff;
    if (m0 < this.area.types || m0 + mcount * METHOD_SIZE > this.area.etypes) s.fail('ERR_TYPES_MALFORMED', `${mcount} methods at +${moff} run outside the types area`, u + 4);
    for (let i = 0; i < mcount; i++) {
      const m = m0 + i * METHOD_SIZE;
      this.pushOff(s.i32(m + 4, 'method type'), 'method type', m + 4);
    }
  }

  private params(x: number, p0: number): void {
    const s = this.space;
    const n = s.u16(x, 'func inCount') + (s.u16(x + 2, 'func outCount') & 0x7fff);
    if (n === 0) return;
    this.spend(n, x);
    if (p0 + n * PTR > this.area.etypes) s.fail('ERR_TYPES_MALFORMED', `${n} parameters run outside the types area`, x);
    for (let i = 0; i < n; i++) this.push(s.pointer(p0 + i * PTR, 'func parameter'), 'func parameter', p0 + i * PTR);
  }

  /** A slice header at `at` (pointer, len, cap) of `elem`-byte items, inside the types area. */
  private slice(at: number, elem: number, what: string): { ptr: number; len: number } {
    const s = this.space;
    const ptr = s.pointer(at, what);
    const len = s.word(at + PTR, `${what} length`);
    const cap = s.word(at + 2 * PTR, `${what} capacity`);
    if (len > cap) s.fail('ERR_TYPES_MALFORMED', `${what}: length ${len} > capacity ${cap}`, at);
    if (len === 0) return { ptr, len };
    this.spend(len, at);
    if (ptr < this.area.types || ptr + len * elem > this.area.etypes) s.fail('ERR_TYPES_MALFORMED', `${len} ${what} at 0x${ptr.toString(16)} run outside the types area`, at);
    return { ptr, len };
  }

  private interfaceMethods(at: number): void {
    const { ptr, len } = this.slice(at, IMETHOD_SIZE, 'interface methods');
    for (let i = 0; i < len; i++) {
      const m = ptr + i * IMETHOD_SIZE;
      this.pushOff(this.space.i32(m + 4, 'interface method type'), 'interface method type', m + 4);
    }
  }

  private fields(at: number): RawField[] {
    const s = this.space;
    const { ptr, len } = this.slice(at, FIELD_SIZE, 'struct fields');
    const out: RawField[] = new Array(len);
    for (let i = 0; i < len; i++) {
      const f = ptr + i * FIELD_SIZE;
      const name = this.names.at(s.pointer(f, 'field name'));
      const type = s.pointer(f + PTR, 'field type');
      if (type === 0) s.fail('ERR_TYPES_MALFORMED', `field ${JSON.stringify(name.name)} has no type`, f + PTR);
      this.push(type, 'field type', f + PTR);
      const word = s.word(f + 2 * PTR, 'field offset');
      out[i] = this.layout.embeddedInName
        ? { name: name.name, type, offset: word, embedded: name.embedded }
        : { name: name.name, type, offset: Math.floor(word / 2), embedded: word % 2 === 1 };
    }
    return out;
  }
}
