/**
 * The RDAP fallback: for an address with no known abuse contact, ask the configured RDAP registry, politely. Answers
 * are cached per network in the database, requests are limited by one token bucket per registry in the process and
 * sent one at a time, and a registry that says "slow down" (429) is left alone for as long as it asks.
 */
import type { Clock } from '../../platform/clock.js';
import type { Context } from '../../platform/context.js';
import type { Db } from '../../platform/db/database.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { isGloballyReachable, classifyIp } from '../../net/classify-ip.js';
import type { IpAddress } from '../../net/ip-address.js';
import { formatIp, parseIp, unmapIpv4 } from '../../net/ip-address.js';
import { IpParseError } from '../../net/ip-parse-error.js';
import { HttpRdapClient } from './http-rdap-client.js';
import { RdapCache } from './rdap-cache.js';
import type { RdapClient } from './rdap-client.js';
import { rangeContains, type RdapNetwork } from './rdap-network.js';
import { RdapRateLimitedError } from './rdap-rate-limited-error.js';
import { RdapRateLimiter } from './rdap-rate-limiter.js';
import type { ContactHit, RdapPort } from '../resolver.js';

/** What the fallback knows about one address; `ip` is the address in canonical form. */
export type RdapLookup =
  /** The registry's network for the address; `cached` when no request was needed. */
  | { kind: 'found'; ip: string; network: RdapNetwork; cached: boolean }
  /** The registry has nothing for the address (404). */
  | { kind: 'not_found'; ip: string; cached: boolean }
  /** Private, documentation or other special-purpose space: not sent to any registry. */
  | { kind: 'special_purpose'; ip: string; reason: string }
  /** Not asked now, so as not to exceed the rate limit or because the registry asked for a pause; try after `retryAt`. */
  | { kind: 'deferred'; ip: string; retryAt: string; reason: 'rate_limit' | 'registry_backoff' }
  /** The registry could not be asked or gave an unusable answer (`RDAP_TIMEOUT`, `RDAP_UNAVAILABLE`, `RDAP_BAD_RESPONSE`). */
  | { kind: 'failed'; ip: string; error: BakenError };

export interface RdapFallbackOptions {
  client: RdapClient;
  limiter: RdapRateLimiter;
  /** How long answers with a network are cached. */
  ttlMs: number;
  /** How long "nothing for this address" is cached; default the lesser of `ttlMs` and 24 hours. */
  negativeTtlMs?: number;
  /** How long a caller may wait for the rate limit before it gets `deferred`; default 5 s. */
  maxWaitMs?: number;
  /** Pause after a 429 without Retry-After; default 60 s. */
  defaultBackoffMs?: number;
}

export interface LookupOptions {
  /** Overrides the fallback's `maxWaitMs` for this call (0: never wait). */
  maxWaitMs?: number;
}

type FallbackContext = { db: Db; clock: Clock; log: Context['log'] };

const DAY_MS = 24 * 3600_000;

/**
 * @example
 * const rdap = createRdapFallback(ctx); // null when BAKEN_RDAP_URL is not set
 * const r = await rdap?.lookup('193.0.6.139');
 * if (r?.kind === 'found') r.network.abuseContacts; // ['abuse@ripe.net']
 */
export class RdapFallback {
  readonly cache: RdapCache;
  private readonly maxWaitMs: number;
  private readonly defaultBackoffMs: number;
  /** Requests go out one at a time, so callers asking about one network at once cause one request. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: FallbackContext,
    private readonly options: RdapFallbackOptions,
  ) {
    this.cache = new RdapCache(ctx, { ttlMs: options.ttlMs, negativeTtlMs: options.negativeTtlMs ?? Math.min(options.ttlMs, DAY_MS) });
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.defaultBackoffMs = options.defaultBackoffMs ?? 60_000;
  }

  /**
   * What the registry says about one address: from the cache when an unexpired answer covers it, else by asking.
   *
   * @throws {BakenError} `VALIDATION` when `ip` is not an address. Registry trouble is a `failed` result, not a throw.
   */
  async lookup(ip: string | IpAddress, options: LookupOptions = {}): Promise<RdapLookup> {
    const address = toAddress(ip);
    const text = formatIp(address);
    if (!isGloballyReachable(address)) return { kind: 'special_purpose', ip: text, reason: classifyIp(address).reason };
    const hit = await this.fromCache(address, text);
    if (hit) return hit;
    const deadline = this.ctx.clock.now().getTime() + (options.maxWaitMs ?? this.maxWaitMs);
    return this.exclusive(async () => {
      // Someone ahead in the queue may have fetched this network meanwhile.
      const again = await this.fromCache(address, text);
      if (again) return again;
      const decision = await this.options.limiter.acquire(Math.max(0, deadline - this.ctx.clock.now().getTime()));
      if (decision.kind === 'deferred') return { kind: 'deferred', ip: text, retryAt: decision.retryAt.toISOString(), reason: decision.reason };
      return this.ask(address, text);
    });
  }

  /**
   * Looks up many addresses, one result per distinct address in the order first given. Addresses in a network
   * already answered in this batch cost neither a request nor a database query.
   *
   * @throws {BakenError} `VALIDATION` naming the first item that is not an address, before anything is asked.
   */
  async lookupMany(ips: Iterable<string | IpAddress>, options: LookupOptions = {}): Promise<RdapLookup[]> {
    const addresses = [...ips].map((ip, i) => toAddress(ip, `ips[${i}]`));
    const results = new Map<string, RdapLookup>();
    const networks: RdapNetwork[] = [];
    for (const address of addresses) {
      const text = formatIp(address);
      if (results.has(text)) continue;
      const known = networks.find((n) => rangeContains(n.range, address));
      if (known) {
        results.set(text, { kind: 'found', ip: text, network: known, cached: true });
        continue;
      }
      const r = await this.lookup(address, options);
      if (r.kind === 'found') networks.push(r.network);
      results.set(text, r);
    }
    return [...results.values()];
  }

  /** Deletes expired cache entries; returns how many. */
  purgeExpired(): Promise<number> {
    return this.cache.purgeExpired();
  }

  private async fromCache(address: IpAddress, text: string): Promise<RdapLookup | null> {
    const hit = await this.cache.find(address);
    if (!hit) return null;
    return hit.kind === 'found' ? { kind: 'found', ip: text, network: hit.network, cached: true } : { kind: 'not_found', ip: text, cached: true };
  }

  private async ask(address: IpAddress, text: string): Promise<RdapLookup> {
    try {
      const network = await this.options.client.lookupIp(address);
      if (network === null) {
        await this.cache.storeNotFound(address, null);
        return { kind: 'not_found', ip: text, cached: false };
      }
      await this.cache.storeFound(network);
      return { kind: 'found', ip: text, network, cached: false };
    } catch (err) {
      if (err instanceof RdapRateLimitedError) {
        const until = new Date(this.ctx.clock.now().getTime() + (err.retryAfterMs ?? this.defaultBackoffMs));
        this.options.limiter.pauseUntil(until);
        this.ctx.log.warn({ code: err.code, until: until.toISOString() }, 'RDAP registry asked us to slow down; pausing RDAP lookups');
        return { kind: 'deferred', ip: text, retryAt: until.toISOString(), reason: 'registry_backoff' };
      }
      if (err instanceof BakenError && err.code.startsWith('BAKEN_E_RDAP_')) {
        // No address in the log line: addresses are personal data, and the error's detail names the registry URL.
        this.ctx.log.warn({ code: err.code }, 'RDAP lookup failed');
        return { kind: 'failed', ip: text, error: err };
      }
      throw err;
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function toAddress(ip: string | IpAddress, field = 'ip'): IpAddress {
  if (typeof ip !== 'string') return unmapIpv4(ip);
  try {
    return unmapIpv4(parseIp(ip.trim()));
  } catch (err) {
    if (err instanceof IpParseError) throw invalid(field, err.message);
    throw err;
  }
}

/** One bucket per registry and rate in the process: every fallback built from the configuration shares it. */
const sharedLimiters = new Map<string, RdapRateLimiter>();

/** The process-wide rate limiter for a registry. */
export function sharedRdapRateLimiter(baseUrl: string, perMinute: number, clock: Clock): RdapRateLimiter {
  const key = `${baseUrl}\n${perMinute}`;
  let limiter = sharedLimiters.get(key);
  if (!limiter) {
    limiter = new RdapRateLimiter({ perMinute, clock });
    sharedLimiters.set(key, limiter);
  }
  return limiter;
}

/**
 * The fallback as configured (`BAKEN_RDAP_URL` and friends), or null when `BAKEN_RDAP_URL` is empty, so callers can
 * write `await createRdapFallback(ctx)?.lookup(ip)` and treat null as "no RDAP".
 *
 * @param overrides stand-ins for tests (a client, a limiter with a manual clock, a bound on waiting).
 */
export function createRdapFallback(ctx: Context, overrides: Partial<RdapFallbackOptions> = {}): RdapFallback | null {
  const { rdapUrl, rdapRatePerMinute, rdapCacheHours, rdapTimeoutMs } = ctx.config;
  if (!rdapUrl) return null;
  return new RdapFallback(ctx, {
    client: new HttpRdapClient({ baseUrl: rdapUrl, timeoutMs: rdapTimeoutMs, clock: ctx.clock }),
    limiter: sharedRdapRateLimiter(rdapUrl, rdapRatePerMinute, ctx.clock),
    ttlMs: rdapCacheHours * 3600_000,
    ...overrides,
  });
}

/**
 * The fallback as the resolver's RDAP port: a network with its contacts, or null for anything else (not found,
 * deferred, failed, special-purpose). Use {@link RdapFallback.lookup} directly to tell those apart.
 *
 * @example
 * new Resolver({ network, operators, rdap: rdapContactPort(createRdapFallback(ctx)) });
 */
export function rdapContactPort(fallback: RdapFallback | null, options: LookupOptions = {}): RdapPort | null {
  if (fallback === null) return null;
  return {
    async lookup(ip: IpAddress): Promise<ContactHit | null> {
      const r = await fallback.lookup(ip, options);
      if (r.kind !== 'found') return null;
      return { network: r.network.network, abuseContacts: r.network.abuseContacts, registryDate: r.network.fetchedAt };
    },
  };
}
