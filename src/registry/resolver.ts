/**
 * resolve(ip): who operates an address and how to reach its abuse desk.
 *
 * - network, ASN, AS name, country: the bundled network data;
 * - operator: the operator directory (its most specific prefix, else its ASN);
 * - abuse contacts, first source that has any: the directory's manual contacts,
 *   then the imported RIPE database (RPSL: the inetnum's abuse-c as the RIPE
 *   database resolves it, else the aut-num's), then RDAP when it is switched on.
 *   `contact_source` says which one answered.
 *
 * The sources beyond the bundled data are narrow ports, so the resolver runs
 * with any of them missing.
 */
import { formatIp, parseIp, unmapIpv4, type IpAddress } from '../net/ip-address.js';
import { isGloballyReachable } from '../net/classify-ip.js';
import { IpParseError } from '../net/ip-parse-error.js';
import type { NetworkData } from './network-data.js';
import type { OperatorIndex } from './operator-index.js';

export type ContactSource = 'manual' | 'rpsl' | 'rdap';

/** What a registry source knows about the network of an address. */
export interface ContactHit {
  /** The registry's network (CIDR or range) the answer belongs to. */
  network: string | null;
  abuseContacts: string[];
  /** The date of the registry data (RPSL snapshot date, or when RDAP was asked). */
  registryDate: string | null;
}

export interface RpslPort {
  lookup(ip: IpAddress): ContactHit | null;
  /** The aut-num's abuse contacts (its own abuse-c, else its org's), for networks without any. */
  lookupAsn?(asn: number): { abuseContacts: string[]; registryDate: string | null } | null;
}

export interface RdapPort {
  lookup(ip: IpAddress): Promise<ContactHit | null>;
}

/** The answer, with exactly the field names of the API and `baken lookup --json`. */
export interface Resolution {
  ip: string;
  network: string | null;
  asn: number | null;
  as_name: string | null;
  country: string | null;
  operator: { id: number; name: string; language: 'en' | 'nl' } | null;
  abuse_contacts: string[];
  contact_source: ContactSource | null;
  registry_date: string | null;
}

/** What {@link Resolver.networkFactsMany} knows of an address. */
export interface NetworkFacts {
  network: string | null;
  asn: number | null;
  as_name: string | null;
  country: string | null;
  operator_id: number | null;
}

export interface ResolverDeps {
  network: NetworkData;
  operators: { current(): Promise<OperatorIndex> };
  rpsl?: { current(): Promise<RpslPort | null> } | null;
  rdap?: RdapPort | null;
}

export class Resolver {
  constructor(private readonly deps: ResolverDeps) {}

  /** @throws {IpParseError} when `ip` is not an address, with the reason. */
  async resolve(ip: string): Promise<Resolution> {
    const [index, rpsl] = await Promise.all([this.deps.operators.current(), this.deps.rpsl?.current() ?? null]);
    return this.resolveWith(parseIp(ip.trim()), index, rpsl);
  }

  /**
   * Resolves many addresses with one snapshot of the sources; a bad address
   * yields an `error` in its place and does not stop the rest.
   */
  async resolveMany(ips: readonly string[]): Promise<Array<Resolution | { ip: string; error: string }>> {
    const [index, rpsl] = await Promise.all([this.deps.operators.current(), this.deps.rpsl?.current() ?? null]);
    const out: Array<Resolution | { ip: string; error: string }> = [];
    for (const raw of ips) {
      let ip: IpAddress;
      try {
        ip = parseIp(raw.trim());
      } catch (err) {
        if (err instanceof IpParseError) {
          out.push({ ip: raw, error: err.message });
          continue;
        }
        throw err;
      }
      out.push(await this.resolveWith(ip, index, rpsl));
    }
    return out;
  }

  /**
   * The network facts of many parsed addresses (network, ASN, AS name, country, operator), without the abuse
   * contacts: no RIPE database and no RDAP, so nothing leaves the process and it runs at the speed of the bundled
   * tables. For enrichment in bulk (indicators), where who to notify is not the question.
   * @example (await resolver.networkFactsMany([parseIp('31.149.1.1')]))[0] // { asn: 1136, country: 'NL', ... }
   */
  async networkFactsMany(ips: readonly IpAddress[]): Promise<NetworkFacts[]> {
    const index = await this.deps.operators.current();
    return ips.map((parsed) => {
      const ip = unmapIpv4(parsed);
      const info = this.deps.network.lookup(ip);
      const operator = index.match(ip, info?.asn ?? null);
      return { network: info?.network ?? null, asn: info?.asn ?? null, as_name: info?.asName ?? null, country: info?.country ?? null, operator_id: operator?.operatorId ?? null };
    });
  }

  private async resolveWith(parsed: IpAddress, index: OperatorIndex, rpsl: RpslPort | null): Promise<Resolution> {
    // An IPv4-mapped IPv6 address is the IPv4 host it stands for.
    const ip = unmapIpv4(parsed);
    const info = this.deps.network.lookup(ip);
    const operator = index.match(ip, info?.asn ?? null);
    const result: Resolution = {
      ip: formatIp(ip),
      network: info?.network ?? null,
      asn: info?.asn ?? null,
      as_name: info?.asName ?? null,
      country: info?.country ?? null,
      operator: operator ? { id: operator.operatorId, name: operator.name, language: operator.language } : null,
      abuse_contacts: [],
      contact_source: null,
      registry_date: this.deps.network.meta.dataDate ?? null,
    };
    if (operator && operator.contacts.length > 0) {
      result.abuse_contacts = operator.contacts;
      result.contact_source = 'manual';
      if (operator.via.kind === 'prefix') result.network = operator.via.prefix;
      return result;
    }
    // Private, documentation and other special-purpose space has no operator to find, and is never sent to RDAP.
    if (!isGloballyReachable(ip)) return result;
    const fromRpsl = rpsl?.lookup(ip) ?? null;
    if (fromRpsl && fromRpsl.abuseContacts.length > 0) return withHit(result, fromRpsl, 'rpsl');
    const fromAutNum = result.asn !== null ? (rpsl?.lookupAsn?.(result.asn) ?? null) : null;
    if (fromAutNum && fromAutNum.abuseContacts.length > 0) return withHit(result, { network: fromRpsl?.network ?? null, ...fromAutNum }, 'rpsl');
    const fromRdap = this.deps.rdap ? await this.deps.rdap.lookup(ip) : null;
    if (fromRdap && fromRdap.abuseContacts.length > 0) return withHit(result, fromRdap, 'rdap');
    return result;
  }
}

function withHit(result: Resolution, hit: ContactHit, source: ContactSource): Resolution {
  return {
    ...result,
    network: hit.network ?? result.network,
    abuse_contacts: hit.abuseContacts,
    contact_source: source,
    registry_date: hit.registryDate ?? result.registry_date,
  };
}
