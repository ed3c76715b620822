import { DebianError } from './errors.js';

export interface ArMember {
  name: string;
  /** Offset of the member's data in the archive. */
  offset: number;
  size: number;
}

const MAGIC = '!<arch>\n';
const HEADER = 60;

/**
 * Lists the members of an ar archive (the container of a .deb): an 8-byte magic,
 * then per member a 60-byte header (name 16, mtime 12, uid 6, gid 6, mode 8,
 * size 10, "`\n") and its data padded to an even offset.
 */
export function readArMembers(data: Uint8Array, where: string): ArMember[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < MAGIC.length || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', 'not an ar archive (bad magic)', where);
  }
  const members: ArMember[] = [];
  let pos = MAGIC.length;
  while (pos < buf.length) {
    if (pos + HEADER > buf.length) {
      throw new DebianError('ERR_DEBIAN_DEB_TRUNCATED', `ar header at offset ${pos} cut short (file is ${buf.length} bytes)`, where);
    }
    const header = buf.toString('latin1', pos, pos + HEADER);
    if (header.slice(58, 60) !== '`\n') throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', `bad ar header terminator at offset ${pos}`, where);
    const name = header.slice(0, 16).trim().replace(/\/$/, ''); // GNU ar ends names with '/'
    const sizeText = header.slice(48, 58).trim();
    if (!/^\d+$/.test(sizeText)) throw new DebianError('ERR_DEBIAN_DEB_MALFORMED', `bad ar member size ${JSON.stringify(sizeText)} at offset ${pos}`, where);
    const size = Number(sizeText);
    const offset = pos + HEADER;
    if (offset + size > buf.length) {
      throw new DebianError('ERR_DEBIAN_DEB_TRUNCATED', `ar member ${name} needs ${size} bytes at offset ${offset}, file is ${buf.length} bytes`, where);
    }
    members.push({ name, offset, size });
    pos = offset + size + (size % 2);
  }
  return members;
}
