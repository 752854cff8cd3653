/**
 * What RDAP registries said, kept in the database: one row per network, so every address in it is answered from
 * that row until it expires, and one short-lived row per address the registry had nothing for.
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { RdapCacheTable } from '../../platform/db/schema.js';
import type { IpAddress } from '../../net/ip-address.js';
import type { IpRange } from '../../net/ip-range.js';
import type { RdapNetwork } from './rdap-network.js';

export type RdapCacheHit =
  | { kind: 'found'; network: RdapNetwork; expiresAt: string }
  | { kind: 'not_found'; fetchedAt: string; expiresAt: string };

export interface RdapCacheOptions {
  /** How long an answer with a network is kept. */
  ttlMs: number;
  /** How long "the registry has nothing for this address" is kept. */
  negativeTtlMs: number;
}

/** Fixed-width hex of an address: compares as text the way the numbers compare. */
export function addressKey(kind: 'ipv4' | 'ipv6', value: number | bigint): string {
  return kind === 'ipv4' ? value.toString(16).padStart(8, '0') : value.toString(16).padStart(32, '0');
}

/**
 * @example
 * const cache = new RdapCache(ctx, { ttlMs: 168 * 3600_000, negativeTtlMs: 24 * 3600_000 });
 * await cache.storeFound(network);
 * (await cache.find(parseIp('193.0.6.139')))?.kind; // 'found'
 */
export class RdapCache {
  constructor(
    private readonly ctx: { db: Db; clock: Clock },
    private readonly options: RdapCacheOptions,
  ) {}

  /** The freshest, most specific unexpired entry that holds the address, or null. */
  async find(ip: IpAddress): Promise<RdapCacheHit | null> {
    const key = addressKey(ip.kind, ip.value);
    const row = await this.ctx.db.kysely
      .selectFrom('rdap_cache')
      .selectAll()
      .where('family', '=', ip.kind)
      .where('first_key', '<=', key)
      .where('last_key', '>=', key)
      .where('expires_at', '>', this.ctx.clock.now().toISOString())
      // Among nested networks that hold the address, the one that starts last and ends first is the most specific.
      .orderBy('first_key', 'desc')
      .orderBy('last_key', 'asc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    if (row.found === 0) return { kind: 'not_found', fetchedAt: row.fetched_at, expiresAt: row.expires_at };
    return { kind: 'found', network: networkOfRow(row), expiresAt: row.expires_at };
  }

  async storeFound(network: RdapNetwork): Promise<void> {
    const expiresAt = new Date(new Date(network.fetchedAt).getTime() + this.options.ttlMs).toISOString();
    await this.upsert({
      ...rangeKeys(network.range),
      network: network.network,
      found: 1,
      handle: network.handle,
      name: network.name,
      country: network.country,
      abuse_contacts: JSON.stringify(network.abuseContacts),
      source_url: network.sourceUrl,
      fetched_at: network.fetchedAt,
      expires_at: expiresAt,
    });
  }

  /** Remembers that the registry has nothing for this one address (not its neighbours: we do not know its range). */
  async storeNotFound(ip: IpAddress, sourceUrl: string | null): Promise<void> {
    const now = this.ctx.clock.now();
    const key = addressKey(ip.kind, ip.value);
    await this.upsert({
      family: ip.kind,
      first_key: key,
      last_key: key,
      network: '',
      found: 0,
      handle: null,
      name: null,
      country: null,
      abuse_contacts: '[]',
      source_url: sourceUrl,
      fetched_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.options.negativeTtlMs).toISOString(),
    });
  }

  /** Deletes expired entries (negative ones hold an address, which is personal data); returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.ctx.db.kysely
      .deleteFrom('rdap_cache')
      .where('expires_at', '<=', this.ctx.clock.now().toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async upsert(row: Omit<Selectable<RdapCacheTable>, 'id'>): Promise<void> {
    const { family: _f, first_key: _a, last_key: _b, ...rest } = row;
    await this.ctx.db.kysely
      .insertInto('rdap_cache')
      .values(row)
      .onConflict((oc) => oc.columns(['family', 'first_key', 'last_key']).doUpdateSet(rest))
      .execute();
  }
}

function rangeKeys(range: IpRange): { family: 'ipv4' | 'ipv6'; first_key: string; last_key: string } {
  return { family: range.kind, first_key: addressKey(range.kind, range.first), last_key: addressKey(range.kind, range.last) };
}

function networkOfRow(row: Selectable<RdapCacheTable>): RdapNetwork {
  const range: IpRange =
    row.family === 'ipv4'
      ? { kind: 'ipv4', first: Number.parseInt(row.first_key, 16), last: Number.parseInt(row.last_key, 16) }
      : { kind: 'ipv6', first: BigInt(`0x${row.first_key}`), last: BigInt(`0x${row.last_key}`) };
  return {
    network: row.network,
    range,
    handle: row.handle,
    name: row.name,
    country: row.country,
    abuseContacts: parseContacts(row.abuse_contacts),
    source: 'rdap',
    fetchedAt: row.fetched_at,
    sourceUrl: row.source_url,
  };
}

function parseContacts(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
