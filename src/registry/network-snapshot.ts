import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeSections, encodeSections } from '../net/binary-sections.js';
import type { SectionArray } from '../net/binary-sections.js';
import type { FamilyTables, NetworkDataTables } from './network-data-tables.js';
import { FAMILY_ARRAYS } from './network-data-tables.js';

const MAGIC = 'BAKENNET';
/** Bump when the layout of the tables changes; older snapshots are then recompiled, not misread. */
export const NETWORK_SNAPSHOT_LAYOUT = 1;

/** Encodes compiled tables as one binary snapshot (header with versions and dates, then the typed arrays). */
export function encodeNetworkSnapshot(tables: NetworkDataTables): Uint8Array {
  const sections: Record<string, SectionArray> = {};
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const [name] of FAMILY_ARRAYS) sections[`${family}.${name}`] = tables[family][name];
  }
  sections.nameBytes = tables.nameBytes;
  sections.nameOffsets = tables.nameOffsets;
  return encodeSections(MAGIC, { layout: NETWORK_SNAPSHOT_LAYOUT, meta: tables.meta }, sections);
}

/**
 * Decodes a snapshot; the arrays are views into `buf`. Structural checks of the segment tables happen when a
 * NetworkData is built from the result.
 *
 * @throws {BinarySectionsError} if the buffer is not a snapshot of this layout.
 */
export function decodeNetworkSnapshot(buf: Uint8Array): NetworkDataTables {
  const d = decodeSections(buf, MAGIC);
  if (d.header.layout !== NETWORK_SNAPSHOT_LAYOUT) {
    throw new Error(`network snapshot layout ${String(d.header.layout)} is not ${NETWORK_SNAPSHOT_LAYOUT}`);
  }
  const family = (prefix: string): FamilyTables => {
    const out: Record<string, SectionArray> = {};
    for (const [name, type] of FAMILY_ARRAYS) out[name] = d.get(`${prefix}.${name}`, type as 'u32');
    return out as unknown as FamilyTables;
  };
  return {
    meta: d.header.meta as NetworkDataTables['meta'],
    ipv4: family('ipv4'),
    ipv6: family('ipv6'),
    nameBytes: d.get('nameBytes', 'u8'),
    nameOffsets: d.get('nameOffsets', 'u32'),
  };
}

/** Writes a snapshot atomically (temporary file, then rename), so a reader never sees half a file. */
export function writeNetworkSnapshot(path: string, tables: NetworkDataTables): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeNetworkSnapshot(tables));
  renameSync(tmp, path);
}

/** Reads a snapshot file. @throws if the file is missing or not a snapshot. */
export function readNetworkSnapshot(path: string): NetworkDataTables {
  return decodeNetworkSnapshot(readFileSync(path));
}
