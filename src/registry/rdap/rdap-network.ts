/**
 * Reading an RDAP IP network object (RFC 9083 section 5.4) into what Baken needs: the range, the registry's handle,
 * name and country, and the abuse contacts found in its entity tree. Pure: no I/O.
 */
import { BakenError } from '../../platform/errors.js';
import type { IpAddress } from '../../net/ip-address.js';
import { formatIp, parseIp } from '../../net/ip-address.js';
import type { IpRange } from '../../net/ip-range.js';
import { formatIpRange, ipRange, rangeOfCidr } from '../../net/ip-range.js';
import { cidrOf } from '../../net/cidr.js';
import { IpParseError } from '../../net/ip-parse-error.js';
import { cleanAbuseEmails } from '../abuse-emails.js';

/** What an RDAP registry says about the network that holds an address. */
export interface RdapNetwork {
  /** The network as people read it: a CIDR prefix, or `first-last` when the range is not one prefix. */
  network: string;
  range: IpRange;
  /** The registry's handle of the network, e.g. `193.0.0.0 - 193.0.7.255` (RIPE) or `NET-8-8-8-0-2` (ARIN). */
  handle: string | null;
  name: string | null;
  /** ISO 3166 two-letter code, upper case, as the registry has it. */
  country: string | null;
  /** Clean, lower-case, unique abuse addresses, most specific first. */
  abuseContacts: string[];
  source: 'rdap';
  /** When the registry answered (ISO-8601 UTC). */
  fetchedAt: string;
  /** The URL that answered, after redirects; null when not known. */
  sourceUrl: string | null;
}

/** The parts of an RDAP entity this module reads; registries add many more. */
interface Entity {
  roles?: unknown;
  vcardArray?: unknown;
  entities?: unknown;
}

/**
 * Reads an RDAP `ip network` object.
 *
 * @param queried the address that was asked about: the network must contain it, or the answer would be cached for
 *   addresses it does not cover.
 * @throws {BakenError} `RDAP_BAD_RESPONSE` when the object is not an IP network or has no usable range.
 * @example
 * readRdapNetwork({ objectClassName: 'ip network', startAddress: '192.0.2.0', endAddress: '192.0.2.255', entities: [
 *   { roles: ['abuse'], vcardArray: ['vcard', [['email', {}, 'text', 'Abuse@Example.net']]] } ] },
 *   { queried: parseIp('192.0.2.7'), fetchedAt: '2026-03-01T10:00:00.000Z', sourceUrl: null })
 * // { network: '192.0.2.0/24', abuseContacts: ['abuse@example.net'], ... }
 */
export function readRdapNetwork(json: unknown, at: { queried: IpAddress; fetchedAt: string; sourceUrl: string | null }): RdapNetwork {
  if (!isObject(json)) throw bad('the answer is not a JSON object');
  const cls = json.objectClassName;
  if (cls !== undefined && cls !== 'ip network') throw bad(`the answer is an RDAP "${String(cls)}", not an "ip network"`);
  const range = networkRange(json);
  if (range === null) throw bad('the answer has neither startAddress/endAddress nor cidr0_cidrs');
  if (!rangeContains(range, at.queried)) {
    throw bad(`the network ${formatIpRange(range)} does not contain the address asked about, ${formatIp(at.queried)}`);
  }
  const country = text(json.country);
  return {
    network: formatIpRange(range),
    range,
    handle: text(json.handle),
    name: text(json.name),
    country: country && /^[a-z]{2}$/i.test(country) ? country.toUpperCase() : null,
    abuseContacts: collectAbuseContacts(json.entities),
    source: 'rdap',
    fetchedAt: at.fetchedAt,
    sourceUrl: at.sourceUrl,
  };
}

/**
 * The abuse addresses in an RDAP entity tree, most specific first: the abuse entities directly under the network;
 * only if those give no address, the abuse entities one level deeper (those under the registrant first, as ARIN
 * nests an organisation's abuse contact under it), and so on.
 *
 * @example
 * collectAbuseContacts([{ roles: ['registrant'], entities: [
 *   { roles: ['abuse'], vcardArray: ['vcard', [['email', {}, 'text', 'mailto:abuse@example.net']]] }] }])
 * // ['abuse@example.net']
 */
export function collectAbuseContacts(entities: unknown): string[] {
  let level = entityList(entities);
  // Registries nest two or three levels; the bound guards against absurd answers.
  for (let depth = 0; depth < 6 && level.length > 0; depth++) {
    const found = cleanAbuseEmails(level.filter((e) => hasRole(e, 'abuse')).flatMap((e) => vcardEmails(e.vcardArray))).emails;
    if (found.length > 0) return found;
    const registrants = level.filter((e) => hasRole(e, 'registrant'));
    const others = level.filter((e) => !hasRole(e, 'registrant'));
    level = [...registrants, ...others].flatMap((e) => entityList(e.entities)).slice(0, 1000);
  }
  return [];
}

/**
 * The email values of a jCard (RFC 7095): `["vcard", [["email", {}, "text", "a@b"], ...]]`. Values may be a string
 * or, from some servers, an array of strings.
 */
export function vcardEmails(vcardArray: unknown): string[] {
  if (!Array.isArray(vcardArray) || vcardArray[0] !== 'vcard' || !Array.isArray(vcardArray[1])) return [];
  const out: string[] = [];
  for (const property of vcardArray[1] as unknown[]) {
    if (!Array.isArray(property) || typeof property[0] !== 'string' || property[0].toLowerCase() !== 'email') continue;
    for (const value of property.slice(3)) {
      if (typeof value === 'string') out.push(value);
      else if (Array.isArray(value)) out.push(...value.filter((v): v is string => typeof v === 'string'));
    }
  }
  return out;
}

function networkRange(json: Record<string, unknown>): IpRange | null {
  const start = text(json.startAddress);
  const end = text(json.endAddress);
  try {
    if (start !== null && end !== null) return ipRange(parseIp(start), parseIp(end));
    const cidrs = json.cidr0_cidrs;
    if (Array.isArray(cidrs) && cidrs.length > 0) return rangeOfCidr0(cidrs);
  } catch (err) {
    if (err instanceof IpParseError) throw bad(`the network's range is not valid: ${err.message}`);
    throw err;
  }
  return null;
}

/** The cidr0 extension lists a network as prefixes; together they cover one contiguous range. */
function rangeOfCidr0(cidrs: unknown[]): IpRange {
  let result: IpRange | null = null;
  for (const c of cidrs) {
    if (!isObject(c)) throw bad('a cidr0_cidrs entry is not an object');
    const prefix = text(c.v4prefix) ?? text(c.v6prefix);
    const length = c.length;
    if (prefix === null || typeof length !== 'number' || !Number.isInteger(length)) throw bad('a cidr0_cidrs entry has no prefix or length');
    const ip = parseIp(prefix);
    if (length < 0 || length > (ip.kind === 'ipv4' ? 32 : 128)) throw bad(`a cidr0_cidrs entry has length ${length}`);
    const r = rangeOfCidr(cidrOf(ip, length));
    if (result === null) result = r;
    else if (result.kind === 'ipv4' && r.kind === 'ipv4') {
      result = { kind: 'ipv4', first: Math.min(result.first, r.first), last: Math.max(result.last, r.last) };
    } else if (result.kind === 'ipv6' && r.kind === 'ipv6') {
      result = { kind: 'ipv6', first: result.first < r.first ? result.first : r.first, last: result.last > r.last ? result.last : r.last };
    } else throw bad('cidr0_cidrs mixes IPv4 and IPv6');
  }
  return result!;
}

/** Whether the range holds the address (false across families). */
export function rangeContains(range: IpRange, ip: IpAddress): boolean {
  if (range.kind !== ip.kind) return false;
  return range.kind === 'ipv4'
    ? (ip.value as number) >= range.first && (ip.value as number) <= range.last
    : (ip.value as bigint) >= range.first && (ip.value as bigint) <= range.last;
}

function entityList(value: unknown): Entity[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function hasRole(entity: Entity, role: string): boolean {
  return Array.isArray(entity.roles) && entity.roles.some((r) => typeof r === 'string' && r.toLowerCase() === role);
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  return s === '' ? null : s;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(detail: string): BakenError {
  return new BakenError('RDAP_BAD_RESPONSE', { detail });
}
