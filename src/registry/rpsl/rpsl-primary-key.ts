/**
 * Primary keys of the RPSL classes Baken reads, checked and put in one canonical form so that references between
 * objects (`org:`, `abuse-c:`) meet regardless of how they were typed.
 */
import { ipRange, type IpRange } from '../../net/ip-range.js';
import { parseIpv4Fast } from '../../net/ipv4.js';
import { formatIpv6 } from '../../net/ipv6.js';
import { parseCidr } from '../../net/cidr.js';

/** A checked primary key: the canonical text and, for number resources, the parsed value. */
export type RpslKey =
  | { readonly kind: 'range'; readonly text: string; readonly range: IpRange }
  | { readonly kind: 'asn'; readonly text: string; readonly asn: number }
  | { readonly kind: 'handle'; readonly text: string };

/** The attribute that holds the primary key, where it is not the class attribute itself. */
export const PRIMARY_KEY_ATTRIBUTE: Readonly<Record<string, string>> = { role: 'nic-hdl', person: 'nic-hdl' };

const ASN_MAX = 0xffffffff;

/**
 * Checks the primary key of an object of class `cls`; returns the key or a sentence saying what is wrong with it.
 * Classes Baken does not interpret keep their key as written (trimmed, upper case).
 *
 * @example
 * rpslKey('inetnum', '192.0.2.0 - 192.0.2.255') // { kind: 'range', text: '192.0.2.0 - 192.0.2.255', range: ... }
 * rpslKey('aut-num', 'as065537')                // { kind: 'asn', text: 'AS65537', asn: 65537 }
 * rpslKey('inetnum', '192.0.2.0 - 10.0.0.0')    // 'the first address is after the last' (a string: rejected)
 */
export function rpslKey(cls: string, value: string): RpslKey | string {
  const v = value.trim();
  if (v === '') return 'the primary key is empty';
  switch (cls) {
    case 'inetnum':
      return inetnumKey(v);
    case 'inet6num':
      return inet6numKey(v);
    case 'aut-num': {
      const m = /^AS0*(\d{1,10})$/i.exec(v);
      if (!m) return `"${v}" is not an AS number (ASnnn)`;
      const asn = Number(m[1]);
      if (asn > ASN_MAX) return `"${v}" is beyond the largest AS number`;
      return { kind: 'asn', text: `AS${asn}`, asn };
    }
    case 'organisation':
    case 'role':
    case 'person':
    case 'mntner':
      // Handles are single words; references to them are compared in upper case.
      if (/\s/.test(v)) return `"${v}" is not a handle: it contains white space`;
      return { kind: 'handle', text: v.toUpperCase() };
    default:
      return { kind: 'handle', text: v.toUpperCase() };
  }
}

function inetnumKey(v: string): RpslKey | string {
  const dash = v.indexOf('-');
  if (dash < 0) return `"${v}" is not an IPv4 range (first - last)`;
  if (v.indexOf('-', dash + 1) >= 0) return `"${v}" is not an IPv4 range: it has more than one "-"`;
  const first = ipv4Lenient(v.slice(0, dash));
  const last = ipv4Lenient(v.slice(dash + 1));
  if (typeof first === 'string') return first;
  if (typeof last === 'string') return last;
  if (first > last) return `"${v}" is not a range: the first address is after the last`;
  const range = ipRange({ kind: 'ipv4', value: first }, { kind: 'ipv4', value: last });
  return { kind: 'range', text: `${dotted(first)} - ${dotted(last)}`, range };
}

/** RIPE writes inetnum addresses in decimal; some old objects pad octets with zeros (`192.0.02.255`). */
function ipv4Lenient(raw: string): number | string {
  const s = raw.trim();
  const fast = parseIpv4Fast(s);
  if (fast >= 0) return fast;
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return `"${s}" is not an IPv4 address`;
  let value = 0;
  for (const p of parts) {
    const n = Number(p);
    if (n > 255) return `"${s}" is not an IPv4 address: ${p} is more than 255`;
    value = value * 256 + n;
  }
  return value;
}

function dotted(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function inet6numKey(v: string): RpslKey | string {
  if (!v.includes(':')) return `"${v}" is not an IPv6 prefix`;
  try {
    const cidr = parseCidr(v.toLowerCase());
    if (cidr.kind !== 'ipv6') return `"${v}" is not an IPv6 prefix`;
    const hostBits = BigInt(128 - cidr.prefixLength);
    const last = cidr.address | ((1n << hostBits) - 1n);
    const range = ipRange({ kind: 'ipv6', value: cidr.address }, { kind: 'ipv6', value: last });
    return { kind: 'range', text: `${formatIpv6(cidr.address)}/${cidr.prefixLength}`, range };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

