/**
 * MISP attribute types and Baken indicator types, both ways. Import reads the MISP types below (the part of a
 * composite `a|b` value that is the indicator); export writes, for each indicator type, the MISP type and category
 * a MISP analyst would choose for it, so a round trip lands on the same (type, value).
 */
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';

/** Which part of a MISP value holds the indicator, and what the hub should take it for. */
export interface MispTypeRule {
  /** The hub types the part may normalise to (addresses: whichever the value is). */
  accepts: readonly IndicatorType[];
  /** Index of the part in a composite `a|b` value; absent for plain values. */
  part?: 0 | 1;
}

const IP: readonly IndicatorType[] = ['ipv4', 'ipv6', 'cidr'];
const HASHES = { md5: ['md5'], sha1: ['sha1'], sha256: ['sha256'] } as const satisfies Record<string, readonly IndicatorType[]>;

/**
 * The MISP types the importer reads. `domain|ip` gives two indicators (the domain and the address); every other
 * composite gives the one part named. Types not listed (text, comment, regkey, yara, ...) are skipped with a reason.
 */
export const MISP_IMPORT_TYPES: Readonly<Record<string, readonly MispTypeRule[]>> = {
  'ip-src': [{ accepts: IP }],
  'ip-dst': [{ accepts: IP }],
  'ip-src|port': [{ accepts: IP, part: 0 }],
  'ip-dst|port': [{ accepts: IP, part: 0 }],
  domain: [{ accepts: ['domain'] }],
  hostname: [{ accepts: ['domain'] }],
  'hostname|port': [{ accepts: ['domain'], part: 0 }],
  'domain|ip': [{ accepts: ['domain'], part: 0 }, { accepts: IP, part: 1 }],
  url: [{ accepts: ['url'] }],
  md5: [{ accepts: HASHES.md5 }],
  sha1: [{ accepts: HASHES.sha1 }],
  sha256: [{ accepts: HASHES.sha256 }],
  'filename|md5': [{ accepts: HASHES.md5, part: 1 }],
  'filename|sha1': [{ accepts: HASHES.sha1, part: 1 }],
  'filename|sha256': [{ accepts: HASHES.sha256, part: 1 }],
  'malware-sample': [{ accepts: HASHES.md5, part: 1 }],
  'email-src': [{ accepts: ['email'] }],
  'email-dst': [{ accepts: ['email'] }],
  email: [{ accepts: ['email'] }],
  'whois-registrant-email': [{ accepts: ['email'] }],
};

/** The MISP type and category an indicator is exported as (the reverse of {@link MISP_IMPORT_TYPES}). */
export const MISP_EXPORT_TYPES: Readonly<Record<IndicatorType, { type: string; category: string }>> = {
  ipv4: { type: 'ip-dst', category: 'Network activity' },
  ipv6: { type: 'ip-dst', category: 'Network activity' },
  cidr: { type: 'ip-dst', category: 'Network activity' },
  domain: { type: 'domain', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  md5: { type: 'md5', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
  email: { type: 'email-src', category: 'Payload delivery' },
};
