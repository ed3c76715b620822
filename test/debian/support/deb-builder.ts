// Builds .deb files byte by byte for the fault tests: a hand-made ustar writer
// (so entries node-tar would refuse to create, like ../escape, can be made) and
// the ar container around it.
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink';
  body?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.path, 0, 100, 'utf8');
  const mode = e.mode ?? (e.type === 'dir' ? 0o755 : 0o644);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148); // checksum field counts as spaces
  h.write(e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', 156);
  if (e.linkpath) h.write(e.linkpath, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

export function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.type === 'file' || e.type === undefined ? Buffer.from(e.body ?? '') : Buffer.alloc(0);
    parts.push(header(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function arMember(name: string, data: Buffer): Buffer {
  const h = `${name}/`.padEnd(16) + '0'.padEnd(12) + '0'.padEnd(6) + '0'.padEnd(6) + '100644'.padEnd(8) + String(data.length).padEnd(10) + '`\n';
  return Buffer.concat([Buffer.from(h, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}

/** A .deb (debian-binary, control.tar.gz, data.tar.gz) holding `entries`. */
export function makeDeb(entries: TarEntry[]): Buffer {
  return Buffer.concat([
    Buffer.from('!<arch>\n', 'latin1'),
    arMember('debian-binary', Buffer.from('2.0\n')),
    arMember('control.tar.gz', gzipSync(makeTar([{ path: './control', body: 'Package: x\n' }]))),
    arMember('data.tar.gz', gzipSync(makeTar(entries))),
  ]);
}
