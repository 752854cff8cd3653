/**
 * A small container format for typed arrays, so tables can be written to a file and mapped back without parsing:
 * 8-byte magic, uint32 format version, uint32 header length, a JSON header (caller's metadata plus a directory of
 * sections), then each section's bytes, 8-byte aligned, little-endian.
 */

export type SectionArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;
type SectionType = 'u8' | 'u16' | 'u32' | 'i32';

interface SectionEntry {
  readonly name: string;
  readonly type: SectionType;
  readonly offset: number;
  readonly length: number;
}

/** The file is not a valid container of the expected kind; the message says what is wrong. */
export class BinarySectionsError extends Error {
  override readonly name = 'BinarySectionsError';
}

const FORMAT_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typeOf(a: SectionArray): SectionType {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint32Array) return 'u32';
  return 'i32';
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Encodes named typed arrays and a JSON-able header into one buffer.
 *
 * @example
 * const buf = encodeSections('BAKENPT4', { family: 'ipv4' }, { starts: new Uint32Array([0, 10]) });
 * decodeSections(buf, 'BAKENPT4').get('starts', 'u32') // Uint32Array [0, 10]
 */
export function encodeSections(magic: string, header: Record<string, unknown>, sections: Record<string, SectionArray>): Uint8Array {
  if (magic.length !== 8) throw new Error('magic must be 8 ASCII characters');
  if (!LITTLE_ENDIAN) throw new BinarySectionsError('binary tables are only supported on little-endian machines');
  const entries: SectionEntry[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(sections)) {
    entries.push({ name, type: typeOf(array), offset, length: array.length });
    offset = align8(offset + array.byteLength);
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify({ ...header, sections: entries }));
  const dataStart = align8(16 + headerBytes.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(magic), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  const names = Object.keys(sections);
  entries.forEach((entry, i) => {
    const array = sections[names[i]!]!;
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), dataStart + entry.offset);
  });
  return out;
}

/** The decoded container: its header and typed-array views of its sections. */
export interface DecodedSections {
  readonly header: Record<string, unknown>;
  get(name: string, type: 'u8'): Uint8Array;
  get(name: string, type: 'u16'): Uint16Array;
  get(name: string, type: 'u32'): Uint32Array;
  get(name: string, type: 'i32'): Int32Array;
}

const BYTES: Record<SectionType, number> = { u8: 1, u16: 2, u32: 4, i32: 4 };

/**
 * Decodes a buffer written by {@link encodeSections}. Sections are views into `buf` (no copy) when aligned, which
 * is what makes loading a large snapshot take milliseconds.
 *
 * @throws {BinarySectionsError} on a wrong magic, version, truncated data or a section of the wrong type.
 */
export function decodeSections(buf: Uint8Array, magic: string): DecodedSections {
  if (!LITTLE_ENDIAN) throw new BinarySectionsError('binary tables are only supported on little-endian machines');
  if (buf.length < 16 || new TextDecoder().decode(buf.subarray(0, 8)) !== magic) {
    throw new BinarySectionsError(`not a ${magic} file (wrong magic bytes)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw new BinarySectionsError(`unsupported container version ${version}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > buf.length) throw new BinarySectionsError('truncated header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(16, 16 + headerLength))) as Record<string, unknown>;
  } catch {
    throw new BinarySectionsError('corrupt header');
  }
  const dataStart = align8(16 + headerLength);
  const entries = new Map<string, SectionEntry>();
  for (const entry of (header.sections ?? []) as SectionEntry[]) entries.set(entry.name, entry);
  function get(name: string, type: SectionType): SectionArray {
    const entry = entries.get(name);
    if (!entry) throw new BinarySectionsError(`missing section ${name}`);
    if (entry.type !== type) throw new BinarySectionsError(`section ${name} has type ${entry.type}, expected ${type}`);
    const start = dataStart + entry.offset;
    const byteLength = entry.length * BYTES[type];
    if (start + byteLength > buf.length) throw new BinarySectionsError(`section ${name} is truncated`);
    let bytes = buf.subarray(start, start + byteLength);
    // Typed-array views need aligned offsets; copy in the rare case the caller's buffer is not aligned.
    if ((buf.byteOffset + start) % BYTES[type] !== 0) bytes = bytes.slice();
    const { buffer, byteOffset } = bytes;
    switch (type) {
      case 'u8':
        return bytes;
      case 'u16':
        return new Uint16Array(buffer, byteOffset, entry.length);
      case 'u32':
        return new Uint32Array(buffer, byteOffset, entry.length);
      case 'i32':
        return new Int32Array(buffer, byteOffset, entry.length);
    }
  }
  return { header, get } as DecodedSections;
}
