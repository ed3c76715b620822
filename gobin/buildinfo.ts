import type { ElfFile } from './elf.js';
import { Cursor } from './cursor.js';
import { GobinError } from './errors.js';
import { AddressSpace, PTR_SIZE } from './memory.js';
import { parseModinfo, type ModuleInfo } from './modinfo.js';

export type { ModuleInfo } from './modinfo.js';

export interface BuildInfo {
  /** As the binary reports it: `go1.21.13`, `go1.20.7 X:boringcrypto`, `devel go1.23-abc123 …`. */
  goVersion: string;
  path: string;
  main: ModuleInfo | null;
  modules: ModuleInfo[];
  settings: Record<string, string>;
}

// "\xff Go buildinf:" — the linker places it at a 16-byte boundary (debug/buildinfo).
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER_SIZE = 32;
// debug/buildinfo reads at most this much from the start of the data.
const SEARCH_LIMIT = 64 * 1024;
const FLAG_BIG_ENDIAN = 1;
const FLAG_VERSION_INLINE = 2; // Go 1.18+: strings follow the header as varint-prefixed bytes.

/**
 * Reads the build information the Go linker embeds in `.go.buildinfo`.
 * Without section headers, it is the first thing in the writable data
 * segment, so the search starts there, as Go's debug/buildinfo does.
 */
export function readBuildInfo(elf: ElfFile, mem = new AddressSpace(elf)): BuildInfo {
  const { data, addr, section } = searchArea(elf, mem);
  let at = -1;
  for (let i = (ALIGN - (addr % ALIGN)) % ALIGN; i + HEADER_SIZE <= data.length; i += ALIGN) {
    if (data[i] === 0xff && MAGIC.equals(data.subarray(i, i + MAGIC.length))) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new GobinError('ERR_NO_BUILDINFO', `${elf.name}: no Go build information ("\\xff Go buildinf:" magic) in ${section}; not a Go binary, or built before Go 1.13`);
  const where = { section, offset: addr + at };
  const ptrSize = data[at + 14];
  const flags = data[at + 15];
  let version: string;
  let mod: string;
  if (flags & FLAG_VERSION_INLINE) {
    const c = new Cursor(data, section, at + HEADER_SIZE, addr);
    version = varintString(c);
    mod = varintString(c);
  } else {
    // Go writes its own pointer size here; ElfFile accepts only 64-bit files, so anything but 8 is damage.
    if (ptrSize !== PTR_SIZE) throw new GobinError('ERR_BUILDINFO_MALFORMED', `${elf.name}: build information pointer size ${ptrSize} in a 64-bit ELF`, where);
    if (flags & FLAG_BIG_ENDIAN) throw new GobinError('ERR_BUILDINFO_MALFORMED', `${elf.name}: build information is big-endian in a little-endian ELF`, where);
    version = goStringAt(elf, mem, mem.pointer(addr + at + 16));
    mod = goStringAt(elf, mem, mem.pointer(addr + at + 16 + PTR_SIZE));
  }
  // The go command wraps modinfo in 16-byte sentinels so the runtime can find it; strip them.
  if (mod.length >= 33 && mod[mod.length - 17] === '\n') mod = mod.slice(16, -16);
  else mod = '';
  if (version === '') throw new GobinError('ERR_BUILDINFO_MALFORMED', `${elf.name}: build information has an empty Go version`, where);
  return { goVersion: version, ...parseModinfo(mod, `${elf.name}: modinfo`) };
}

function searchArea(elf: ElfFile, mem: AddressSpace): { data: Uint8Array; addr: number; section: string } {
  const sec = elf.section('.go.buildinfo');
  if (sec) return { data: elf.sectionData(sec), addr: sec.addr, section: '.go.buildinfo' };
  const seg = mem.writableSegments().find((p) => (p.flags & 1) === 0);
  if (!seg) throw new GobinError('ERR_NO_BUILDINFO', `${elf.name}: no .go.buildinfo section and no writable data segment`);
  const size = Math.min(seg.filesz, SEARCH_LIMIT);
  return { data: elf.slice(seg.offset, size, 'writable data segment'), addr: seg.vaddr, section: 'writable data segment' };
}

function varintString(c: Cursor): string {
  const n = c.uleb128();
  if (n > c.remaining) c.fail('ERR_BUILDINFO_MALFORMED', `string length ${n} runs past the build information`);
  return Buffer.from(c.bytes(n)).toString('utf8');
}

/** A Go string header {ptr, len} at `addr`, and the bytes it points to. */
function goStringAt(elf: ElfFile, mem: AddressSpace, addr: number): string {
  // A header in .bss is the zero value: Go 1.15-1.17 GOPATH builds leave runtime.modinfo empty there.
  if (mem.zeroFilled(addr, 2 * PTR_SIZE)) return '';
  const ptr = mem.pointer(addr);
  const len = mem.pointer(addr + PTR_SIZE);
  if (len > 1 << 24) throw new GobinError('ERR_BUILDINFO_MALFORMED', `${elf.name}: string at 0x${addr.toString(16)} claims length ${len}`);
  if (len === 0) return '';
  return Buffer.from(elf.readVaddr(ptr, len)).toString('utf8');
}
