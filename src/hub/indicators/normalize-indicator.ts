/**
 * One spelling per indicator, so that (type, value) deduplicates: defanged forms
 * are refanged, domains lower-cased and turned into punycode, URLs made canonical,
 * CIDRs checked for host bits, hashes lower-cased and length-checked, IPv4-mapped
 * IPv6 addresses turned into the IPv4 address they stand for. Pure: no I/O.
 *
 * Special-purpose addresses (private, loopback, documentation, ...) are refused:
 * no member can see them as a threat on the internet, and sharing them tells the
 * membership about somebody's internal network.
 */
import { domainToASCII } from 'node:url';
import { classifyIp } from '../../net/classify-ip.js';
import { cidrLast, formatCidr, parseCidr, type Cidr } from '../../net/cidr.js';
import { formatIp, parseIp, unmapIpv4, type IpAddress } from '../../net/ip-address.js';
import { IpParseError, quoteInput } from '../../net/ip-parse-error.js';
import { ipv4FromMapped } from '../../net/ipv6.js';
import { isIndicatorType, type IndicatorType } from './indicator-types.js';

/** An indicator could not be normalised; the message names the input and what is wrong with it. */
export class IndicatorError extends Error {
  override readonly name = 'IndicatorError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NormalizedIndicator {
  type: IndicatorType;
  value: string;
  /** For ipv4, ipv6 and cidr: the address (of the network), for enrichment without parsing again. */
  ip?: IpAddress;
}

export interface NormalizeOptions {
  /** The type the caller says it is; without it the type is detected. A string is checked against the known types. */
  type?: IndicatorType | string | null;
  /** CIDRs with host bits set are masked instead of refused. */
  lenient?: boolean;
}

const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const;
const HASH_BY_LENGTH: Record<number, 'md5' | 'sha1' | 'sha256'> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

// Defanging conventions seen in reports and feeds: brackets, parentheses or braces around the dot, colon or at
// sign, the words "dot" and "at" in brackets, and hxxp for http.
const REFANG: Array<[RegExp, string]> = [
  [/\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}|\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}/gi, '.'],
  [/\[\s*:\s*\]|\(\s*:\s*\)/g, ':'],
  [/\[\s*:\/\/\s*\]/g, '://'],
  [/\[\s*@\s*\]|\(\s*@\s*\)|\{\s*@\s*\}|\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}/gi, '@'],
  [/^h[xX]{2}p(s?):\/\//i, 'http$1://'],
  [/^h[xX]{2}p(s?)\[?:\]?\/\//i, 'http$1://'],
];

const MAY_BE_DEFANGED = /[[({]|^h[xX]{2}p/i;

/**
 * Undoes defanging: `hxxps://evil[.]example[/]` stays a URL people cannot click, this makes it one Baken can compare.
 * @example refang('hxxp://evil[.]example') // 'http://evil.example'
 */
export function refang(s: string): string {
  // Every convention above needs a bracket, parenthesis or brace, or starts with hxxp: most values have neither,
  // and one test spares them six replacements.
  if (!MAY_BE_DEFANGED.test(s)) return s;
  let out = s;
  for (const [re, to] of REFANG) out = out.replace(re, to);
  return out;
}

/**
 * Normalises one indicator.
 * @throws {IndicatorError} saying what is wrong.
 * @example
 * normalizeIndicator('hxxps://Evil[.]EXAMPLE:443/a#x') // { type: 'url', value: 'https://evil.example/a' }
 * normalizeIndicator('10.0.0.1') // throws: "10.0.0.1" is a special-purpose address: 10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918)
 */
export function normalizeIndicator(input: string, options: NormalizeOptions = {}): NormalizedIndicator {
  const raw = input.trim();
  let type: IndicatorType | null = null;
  if (options.type !== undefined && options.type !== null && options.type !== '') {
    const t = String(options.type).trim().toLowerCase();
    if (!isIndicatorType(t)) throw new IndicatorError(input, `${quoteInput(String(options.type))} is not an indicator type; use one of ipv4, ipv6, cidr, domain, url, md5, sha1, sha256, email`);
    type = t;
  }
  if (raw === '') throw new IndicatorError(input, 'the indicator is empty');
  if (raw.length > 4096) throw new IndicatorError(input, `${quoteInput(raw)} is too long for an indicator (${raw.length} characters; at most 4096)`);
  const s = refang(raw);
  const detected = type ?? detectType(s);
  switch (detected) {
    case 'ipv4':
    case 'ipv6':
      return normalizeIp(raw, s, detected, type !== null);
    case 'cidr':
      return normalizeCidr(raw, s, options.lenient ?? false);
    case 'domain':
      return { type: 'domain', value: normalizeDomain(raw, s) };
    case 'url':
      return normalizeUrl(raw, s);
    case 'email':
      return { type: 'email', value: normalizeEmail(raw, s) };
    case 'md5':
    case 'sha1':
    case 'sha256':
      return { type: detected, value: normalizeHash(raw, s, detected) };
  }
}

/** The type a value looks like; only a guess, which the type's own check then confirms or refuses with a reason. */
export function detectType(s: string): IndicatorType {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return 'url';
  if (s.includes('@')) return 'email';
  if (/^[0-9a-f:.]+\/[0-9]*$/i.test(s)) return 'cidr';
  if (/^[0-9a-f]+$/i.test(s) && HASH_BY_LENGTH[s.length] !== undefined) return HASH_BY_LENGTH[s.length]!;
  if (/^[0-9.]+$/.test(s)) return 'ipv4';
  if (s.includes(':') && /^[0-9a-f:.]+$/i.test(s)) return 'ipv6';
  // Two colons or more: meant as IPv6, whatever else is wrong with it (the IPv6 parser says what).
  if ((s.match(/:/g)?.length ?? 0) >= 2 && !s.includes('/')) return 'ipv6';
  if (s.startsWith('[') && s.endsWith(']') && s.includes(':')) return 'ipv6';
  return 'domain';
}

function specialPurpose(raw: string, ip: IpAddress): IndicatorError | null {
  const c = classifyIp(ip);
  if (c.kind === 'global' || c.globallyReachable) return null;
  return new IndicatorError(raw, `${quoteInput(raw)} is a special-purpose address, not one that can be a threat on the internet: ${c.reason}`);
}

function normalizeIp(raw: string, s: string, type: 'ipv4' | 'ipv6', given: boolean): NormalizedIndicator {
  let text = s;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  let ip: IpAddress;
  try {
    ip = parseIp(text);
  } catch (err) {
    if (err instanceof IpParseError) throw new IndicatorError(raw, err.message);
    throw err;
  }
  if (given && type === 'ipv4' && ip.kind === 'ipv6') throw new IndicatorError(raw, `${quoteInput(raw)} is an IPv6 address, not IPv4`);
  if (given && type === 'ipv6' && ip.kind === 'ipv4') throw new IndicatorError(raw, `${quoteInput(raw)} is an IPv4 address, not IPv6`);
  // Both spellings of one host are one indicator.
  ip = unmapIpv4(ip);
  const bad = specialPurpose(raw, ip);
  if (bad) throw bad;
  return { type: ip.kind, value: formatIp(ip), ip };
}

function normalizeCidr(raw: string, s: string, lenient: boolean): NormalizedIndicator {
  let cidr: Cidr;
  try {
    cidr = parseCidr(s, { lenient });
  } catch (err) {
    if (err instanceof IpParseError) {
      throw new IndicatorError(raw, err.reason === 'host-bits-set' ? `${err.message} (import leniently to mask them)` : err.message);
    }
    throw err;
  }
  if (cidr.kind === 'ipv6' && cidr.prefixLength >= 96) {
    const v4 = ipv4FromMapped(cidr.address);
    if (v4 !== null) cidr = { kind: 'ipv4', address: v4, prefixLength: cidr.prefixLength - 96 };
  }
  const first: IpAddress = cidr.kind === 'ipv4' ? { kind: 'ipv4', value: cidr.address } : { kind: 'ipv6', value: cidr.address };
  const last: IpAddress = cidr.kind === 'ipv4' ? { kind: 'ipv4', value: cidrLast(cidr) as number } : { kind: 'ipv6', value: cidrLast(cidr) as bigint };
  const bad = specialPurpose(raw, first) ?? specialPurpose(raw, last);
  if (bad) throw bad;
  // A prefix of one address is that address.
  if (cidr.prefixLength === (cidr.kind === 'ipv4' ? 32 : 128)) return { type: first.kind, value: formatIp(first), ip: first };
  return { type: 'cidr', value: formatCidr(cidr), ip: first };
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function normalizeDomain(raw: string, s: string): string {
  let d = s.trim();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (/[/?#]/.test(d)) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: it has a path; give it as a URL with its scheme (http:// or https://)`);
  if (/:\d+$/.test(d)) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: it has a port; give it as a URL with its scheme`);
  if (/\s/.test(d)) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: it contains white space`);
  if (!d.includes('.')) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: it has no dot (a single label such as "localhost" is no internet domain)`);
  if (/\.[0-9]+$/.test(d)) throw new IndicatorError(raw, `${quoteInput(raw)} is neither a domain (its last label is a number) nor a valid IPv4 address`);
  const ascii = domainToASCII(d.toLowerCase());
  if (ascii === '') throw new IndicatorError(raw, `${quoteInput(raw)} is not a valid domain name (it has characters that cannot be in a domain name)`);
  if (ascii.length > 253) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: longer than 253 characters`);
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label === '') throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: it has an empty label (two dots in a row, or a leading dot)`);
    if (!LABEL.test(label)) throw new IndicatorError(raw, `${quoteInput(raw)} is not a domain: the label "${label}" must be 1 to 63 letters, digits, hyphens or underscores, not starting or ending with a hyphen`);
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) throw new IndicatorError(raw, `${quoteInput(raw)} is neither a domain (its last label is a number) nor a valid IPv4 address`);
  return ascii;
}

function normalizeUrl(raw: string, s: string): NormalizedIndicator {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1]?.toLowerCase();
  if (!scheme) throw new IndicatorError(raw, `${quoteInput(raw)} is not a URL: it has no scheme such as http:// or https://`);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new IndicatorError(raw, `${quoteInput(raw)} is not a valid URL`);
  }
  if (url.hostname === '') throw new IndicatorError(raw, `${quoteInput(raw)} is not a URL: it has no host`);
  let host = url.hostname;
  if (!['http', 'https', 'ftp', 'ws', 'wss'].includes(scheme)) {
    // URL only lower-cases and punycodes the hosts of the schemes it knows; do it for the others too.
    host = host.startsWith('[') ? host : normalizeDomain(raw, host);
    url.hostname = host;
  }
  // A host that is an address must be one on the internet, like an address indicator.
  if (/^[0-9.]+$/.test(host) || host.startsWith('[')) {
    const ip = unmapIpv4(parseIp(host.replace(/^\[|\]$/g, '')));
    const bad = specialPurpose(raw, ip);
    if (bad) throw bad;
  } else if (!host.includes('.')) {
    throw new IndicatorError(raw, `${quoteInput(raw)} is not an internet URL: its host "${host}" has no dot`);
  }
  // The fragment never reaches the server; two URLs that differ only there are one indicator.
  url.hash = '';
  return { type: 'url', value: url.href };
}

function normalizeEmail(raw: string, s: string): string {
  const at = s.lastIndexOf('@');
  if (at < 0) throw new IndicatorError(raw, `${quoteInput(raw)} is not an email address: it has no @`);
  let local = s.slice(0, at).trim();
  if (local.toLowerCase().startsWith('mailto:')) local = local.slice(7);
  if (local === '') throw new IndicatorError(raw, `${quoteInput(raw)} is not an email address: nothing before the @`);
  if (local.length > 64) throw new IndicatorError(raw, `${quoteInput(raw)} is not an email address: the part before the @ is longer than 64 characters`);
  if (/[\s<>(),;:\\"[\]@]/.test(local)) throw new IndicatorError(raw, `${quoteInput(raw)} is not an email address: the part before the @ has white space or a character such as < > , ; : " @`);
  const domain = normalizeDomain(raw, s.slice(at + 1).trim());
  // Local parts are case-sensitive in theory and never in practice; one spelling deduplicates.
  return `${local.toLowerCase()}@${domain}`;
}

function normalizeHash(raw: string, s: string, type: 'md5' | 'sha1' | 'sha256'): string {
  const h = s.trim().toLowerCase();
  if (!/^[0-9a-f]*$/.test(h)) throw new IndicatorError(raw, `${quoteInput(raw)} is not a ${type} hash: only hexadecimal digits (0-9, a-f) are allowed`);
  const want = HASH_LENGTHS[type];
  if (h.length !== want) {
    const other = HASH_BY_LENGTH[h.length];
    throw new IndicatorError(raw, `${quoteInput(raw)} is not a ${type} hash: it has ${h.length} hex digits, a ${type} has ${want}${other ? ` (${h.length} is the length of a ${other})` : ''}`);
  }
  return h;
}
