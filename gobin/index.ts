// The public reader API: open a Go binary, read its build info, functions, return sites and DWARF.
export { GoBinary, type GoFunction, type BuildInfo, type ModuleInfo, type FunctionTableInfo } from './binary.js';
export { ElfFile, type GoArch } from './elf.js';
export { GobinError, type GobinErrorCode } from './errors.js';
export { readBuildInfo } from './buildinfo.js';
export { parseModinfo } from './modinfo.js';
export { locatePclntab, parseHeader, parseFunctions, PCLNTAB_MAGICS, type PclntabHeader, type PclntabLayout } from './pclntab.js';
export { findModuleData, type ModuleData } from './moduledata.js';
export { returnOffsets } from './returns.js';
export { Dwarf } from './dwarf/index.js';
export { TypeDescriptors, type TypeStruct, type TypeStructMember, type TypeFieldOffset } from './types/index.js';
export { parseSelector } from './selector.js';
