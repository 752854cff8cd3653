import type { NetworkDataVersion } from './network-data-sources.js';

/**
 * The compiled network data of one address family, all typed arrays so it can be written to and mapped from a
 * snapshot file as is. Segments come from overlaying the ASN and the country ranges: each segment has at most one
 * ASN row and one country row. Addresses are uint32 for IPv4 and 4 big-endian words for IPv6.
 */
export interface FamilyTables {
  /** Segment starts of the overlaid table (1 or 4 words a segment). */
  readonly segStarts: Uint32Array;
  /** ASN row of each segment, -1 for none. */
  readonly segAsn: Int32Array;
  /** Country row of each segment, -1 for none. */
  readonly segCountry: Int32Array;
  readonly asnFirst: Uint32Array;
  readonly asnLast: Uint32Array;
  readonly asnNumber: Uint32Array;
  /** Index into the AS name table. */
  readonly asnName: Uint32Array;
  readonly countryFirst: Uint32Array;
  readonly countryLast: Uint32Array;
  /** Two ASCII letters as `(c0 << 8) | c1`. */
  readonly countryCode: Uint16Array;
}

/** Everything a snapshot holds. */
export interface NetworkDataTables {
  readonly meta: NetworkDataVersion & {
    /** When the snapshot was compiled (ISO 8601). */
    readonly builtAt: string;
    /** Fingerprint of the source files; see fingerprintOfSources. */
    readonly fingerprint: string;
  };
  readonly ipv4: FamilyTables;
  readonly ipv6: FamilyTables;
  /** AS names as UTF-8, name i at `nameBytes[nameOffsets[i]..nameOffsets[i+1]]`. */
  readonly nameBytes: Uint8Array;
  readonly nameOffsets: Uint32Array;
}

/** Names of the typed arrays of {@link FamilyTables}, in snapshot order. */
export const FAMILY_ARRAYS = [
  ['segStarts', 'u32'],
  ['segAsn', 'i32'],
  ['segCountry', 'i32'],
  ['asnFirst', 'u32'],
  ['asnLast', 'u32'],
  ['asnNumber', 'u32'],
  ['asnName', 'u32'],
  ['countryFirst', 'u32'],
  ['countryLast', 'u32'],
  ['countryCode', 'u16'],
] as const;
