// API stub: the Debian engineer replaces this with the real probe fixtures for every toolchain and variant.
import type { Toolchain } from './toolchains.js';

export type ProbeVariant = 'plain' | 'stripped' | 'pie' | 'external' | 'arm64' | 'arm64-stripped';

export interface ProbeBinary {
  toolchain: Toolchain;
  variant: ProbeVariant;
  arch: 'amd64' | 'arm64';
  path: string;
  /** Built with -ldflags "-s -w": no symbol table, no DWARF. */
  stripped: boolean;
  pie: boolean;
}

/** Every probe binary of the matrix, built once and cached by toolchain, source hash and variant. */
export async function probeBinaries(): Promise<ProbeBinary[]> {
  throw new Error('probe fixtures not built yet');
}
