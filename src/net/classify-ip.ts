import type { IpAddress } from './ip-address.js';
import { formatIp } from './ip-address.js';
import { formatIpv4 } from './ipv4.js';
import type { Cidr } from './cidr.js';
import { cidrContains, formatCidr, parseCidr } from './cidr.js';

/** What kind of address space an address belongs to. Everything except `global` is special-purpose. */
export type IpKind =
  | 'global'
  | 'unspecified'
  | 'this-network'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link-local'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'protocol-assignment'
  | 'anycast-service'
  | 'ipv4-mapped'
  | 'ipv4-translation'
  | 'discard-only'
  | '6to4'
  | 'teredo'
  | 'unique-local'
  | 'site-local';

/** The classification of one address. */
export interface IpClassification {
  readonly kind: IpKind;
  /** Human explanation, suitable for telling a reporter why an address was not accepted. */
  readonly reason: string;
  /** The special-purpose block the address is in, or null for global addresses. */
  readonly block: string | null;
  /** The RFC that defines the block, or null. */
  readonly rfc: string | null;
  /**
   * Whether hosts in this block can be reached from the public internet, per the IANA special-purpose registries
   * (`N/A` there counts as false). A hotline notifies operators only about such addresses.
   */
  readonly globallyReachable: boolean;
  /** For IPv4-mapped, NAT64, 6to4 and Teredo addresses: the IPv4 address embedded in it. */
  readonly embeddedIpv4?: string;
}

interface Entry {
  readonly cidr: Cidr;
  readonly kind: IpKind;
  readonly name: string;
  readonly rfc: string;
  readonly globallyReachable: boolean;
  readonly embedded?: (value: bigint) => number;
}

// From the IANA IPv4 and IPv6 Special-Purpose Address Registries (plus multicast and the reserved class E / outside
// 2000::/3 space from the address-space registries). The most specific matching block wins, so nested entries
// (192.0.0.9/32 inside 192.0.0.0/24) need no ordering.
const e = (prefix: string, kind: IpKind, name: string, rfc: string, globallyReachable = false, embedded?: Entry['embedded']): Entry => ({
  cidr: parseCidr(prefix),
  kind,
  name,
  rfc,
  globallyReachable,
  ...(embedded ? { embedded } : {}),
});

const low32 = (v: bigint) => Number(v & 0xffffffffn);

const ENTRIES: readonly Entry[] = [
  e('0.0.0.0/8', 'this-network', '"this network"', 'RFC 791'),
  e('0.0.0.0/32', 'unspecified', '"this host on this network" (unspecified)', 'RFC 1122'),
  e('10.0.0.0/8', 'private', 'private-use', 'RFC 1918'),
  e('100.64.0.0/10', 'shared', 'shared address space (carrier-grade NAT)', 'RFC 6598'),
  e('127.0.0.0/8', 'loopback', 'loopback', 'RFC 1122'),
  e('169.254.0.0/16', 'link-local', 'link-local', 'RFC 3927'),
  e('172.16.0.0/12', 'private', 'private-use', 'RFC 1918'),
  e('192.0.0.0/24', 'protocol-assignment', 'IETF protocol assignments', 'RFC 6890'),
  e('192.0.0.0/29', 'protocol-assignment', 'IPv4 service continuity prefix (DS-Lite)', 'RFC 7335'),
  e('192.0.0.8/32', 'protocol-assignment', 'IPv4 dummy address', 'RFC 7600'),
  e('192.0.0.9/32', 'anycast-service', 'Port Control Protocol anycast', 'RFC 7723', true),
  e('192.0.0.10/32', 'anycast-service', 'Traversal Using Relays around NAT anycast', 'RFC 8155', true),
  e('192.0.0.170/32', 'protocol-assignment', 'NAT64/DNS64 discovery', 'RFC 8880'),
  e('192.0.0.171/32', 'protocol-assignment', 'NAT64/DNS64 discovery', 'RFC 8880'),
  e('192.0.2.0/24', 'documentation', 'documentation (TEST-NET-1)', 'RFC 5737'),
  e('192.31.196.0/24', 'anycast-service', 'AS112-v4', 'RFC 7535', true),
  e('192.52.193.0/24', 'anycast-service', 'Automatic Multicast Tunneling', 'RFC 7450', true),
  e('192.88.99.0/24', 'reserved', 'deprecated 6to4 relay anycast', 'RFC 7526'),
  e('192.168.0.0/16', 'private', 'private-use', 'RFC 1918'),
  e('192.175.48.0/24', 'anycast-service', 'direct delegation AS112 service', 'RFC 7534', true),
  e('198.18.0.0/15', 'benchmarking', 'benchmarking', 'RFC 2544'),
  e('198.51.100.0/24', 'documentation', 'documentation (TEST-NET-2)', 'RFC 5737'),
  e('203.0.113.0/24', 'documentation', 'documentation (TEST-NET-3)', 'RFC 5737'),
  e('224.0.0.0/4', 'multicast', 'multicast', 'RFC 5771'),
  e('240.0.0.0/4', 'reserved', 'reserved for future use (class E)', 'RFC 1112'),
  e('255.255.255.255/32', 'broadcast', 'limited broadcast', 'RFC 919'),

  // Everything outside 2000::/3 is reserved by the IETF unless a more specific entry below says otherwise.
  e('::/0', 'reserved', 'reserved by the IETF (outside the global unicast space 2000::/3)', 'RFC 4291'),
  e('::/128', 'unspecified', 'unspecified address', 'RFC 4291'),
  e('::1/128', 'loopback', 'loopback', 'RFC 4291'),
  e('::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped', 'RFC 4291', false, low32),
  e('64:ff9b::/96', 'ipv4-translation', 'IPv4/IPv6 translation (NAT64 well-known prefix)', 'RFC 6052', true, low32),
  e('64:ff9b:1::/48', 'ipv4-translation', 'local-use IPv4/IPv6 translation', 'RFC 8215'),
  e('100::/64', 'discard-only', 'discard-only', 'RFC 6666'),
  e('100:0:0:1::/64', 'discard-only', 'dummy IPv6 prefix', 'RFC 9780'),
  e('2000::/3', 'global', 'global unicast', 'RFC 4291', true),
  e('2001::/23', 'protocol-assignment', 'IETF protocol assignments', 'RFC 2928'),
  // Teredo hides the client's IPv4 address bit-inverted in the last 32 bits (RFC 4380 4).
  e('2001::/32', 'teredo', 'Teredo', 'RFC 4380', false, (v) => ~low32(v) >>> 0),
  e('2001:1::1/128', 'anycast-service', 'Port Control Protocol anycast', 'RFC 7723', true),
  e('2001:1::2/128', 'anycast-service', 'Traversal Using Relays around NAT anycast', 'RFC 8155', true),
  e('2001:1::3/128', 'anycast-service', 'DNS-SD service registration protocol anycast', 'RFC 9665', true),
  e('2001:2::/48', 'benchmarking', 'benchmarking', 'RFC 5180'),
  e('2001:3::/32', 'anycast-service', 'Automatic Multicast Tunneling', 'RFC 7450', true),
  e('2001:4:112::/48', 'anycast-service', 'AS112-v6', 'RFC 7535', true),
  e('2001:10::/28', 'reserved', 'deprecated ORCHID', 'RFC 4843'),
  e('2001:20::/28', 'protocol-assignment', 'ORCHIDv2', 'RFC 7343', true),
  e('2001:30::/28', 'protocol-assignment', 'drone remote ID protocol entity tags', 'RFC 9374', true),
  e('2001:db8::/32', 'documentation', 'documentation', 'RFC 3849'),
  e('2002::/16', '6to4', '6to4', 'RFC 3056', false, (v) => Number((v >> 80n) & 0xffffffffn)),
  e('2620:4f:8000::/48', 'anycast-service', 'direct delegation AS112 service', 'RFC 7534', true),
  e('3fff::/20', 'documentation', 'documentation', 'RFC 9637'),
  e('5f00::/16', 'protocol-assignment', 'segment routing (SRv6) SIDs', 'RFC 9602'),
  e('fc00::/7', 'unique-local', 'unique local', 'RFC 4193'),
  e('fe80::/10', 'link-local', 'link-local unicast', 'RFC 4291'),
  e('fec0::/10', 'site-local', 'deprecated site-local', 'RFC 3879'),
  e('ff00::/8', 'multicast', 'multicast', 'RFC 4291'),
];

const GLOBAL: IpClassification = { kind: 'global', reason: 'global unicast address', block: null, rfc: null, globallyReachable: true };

/**
 * Classifies an address against the IANA special-purpose registries: private, shared, loopback, link-local,
 * documentation, benchmarking, multicast, reserved, broadcast, 6to4, Teredo, ULA, IPv4-mapped, NAT64, discard-only,
 * ... The most specific block wins. Pure table lookup; cheap enough for every host of a large report.
 *
 * @example
 * classifyIp(parseIp('10.1.2.3'))
 * // { kind: 'private', reason: '10.1.2.3 is in 10.0.0.0/8, private-use (RFC 1918)', block: '10.0.0.0/8', ... }
 * classifyIp(parseIp('31.149.1.1')).kind // 'global'
 */
export function classifyIp(ip: IpAddress): IpClassification {
  let best: Entry | null = null;
  for (const entry of ENTRIES) {
    if (cidrContains(entry.cidr, ip) && (best === null || entry.cidr.prefixLength > best.cidr.prefixLength)) best = entry;
  }
  if (best === null) return GLOBAL;
  const block = formatCidr(best.cidr);
  if (best.kind === 'global') return GLOBAL;
  const embeddedIpv4 = best.embedded && ip.kind === 'ipv6' ? formatIpv4(best.embedded(ip.value)) : undefined;
  let reason = `${formatIp(ip)} is in ${block}, ${best.name} (${best.rfc})`;
  if (embeddedIpv4 !== undefined) reason += `; it embeds the IPv4 address ${embeddedIpv4}`;
  return {
    kind: best.kind,
    reason,
    block,
    rfc: best.rfc,
    globallyReachable: best.globallyReachable,
    ...(embeddedIpv4 !== undefined ? { embeddedIpv4 } : {}),
  };
}

/**
 * Whether an address is one a hotline can notify an operator about: globally reachable and not special-purpose
 * space that no operator answers for.
 *
 * @example
 * isGloballyReachable(parseIp('192.168.1.1')) // false
 */
export function isGloballyReachable(ip: IpAddress): boolean {
  return classifyIp(ip).globallyReachable;
}
