/**
 * An {@link RdapClient} over HTTP(S) with node's fetch (RFC 7480, RFC 9082): `GET {base}/ip/{address}` with
 * `Accept: application/rdap+json`, following redirects (a regional registry answers 301 with the URL of the
 * registry that holds the address), within one timeout for the whole exchange.
 */
import type { Clock } from '../../platform/clock.js';
import { systemClock } from '../../platform/clock.js';
import { BakenError } from '../../platform/errors.js';
import type { IpAddress } from '../../net/ip-address.js';
import { formatIp } from '../../net/ip-address.js';
import type { RdapClient } from './rdap-client.js';
import { readRdapNetwork, type RdapNetwork } from './rdap-network.js';
import { RdapRateLimitedError, parseRetryAfter } from './rdap-rate-limited-error.js';

export interface HttpRdapClientOptions {
  /** Base URL of the RDAP service, e.g. `https://rdap.db.ripe.net` or `https://rdap.arin.net/registry`. */
  baseUrl: string;
  /** For the whole exchange: connection, redirects and body. */
  timeoutMs: number;
  clock?: Clock;
  userAgent?: string;
}

/** Answers larger than this are not RDAP IP networks; a registry's is a few kilobytes. */
const MAX_BODY_CHARS = 4 * 1024 * 1024;

/**
 * @example
 * const client = new HttpRdapClient({ baseUrl: 'https://rdap.db.ripe.net', timeoutMs: 10_000 });
 * const net = await client.lookupIp(parseIp('193.0.6.139'));
 * net?.abuseContacts; // ['abuse@ripe.net']
 */
export class HttpRdapClient implements RdapClient {
  private readonly base: string;
  private readonly clock: Clock;

  constructor(private readonly options: HttpRdapClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
  }

  /** The URL asked for an address. */
  urlFor(ip: IpAddress): string {
    // Addresses are [0-9a-f.:] only: safe in a path as they are.
    return `${this.base}/ip/${formatIp(ip)}`;
  }

  async lookupIp(ip: IpAddress): Promise<RdapNetwork | null> {
    const url = this.urlFor(ip);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/rdap+json, application/json;q=0.9', 'user-agent': this.options.userAgent ?? 'Baken RDAP client' },
        redirect: 'follow',
        signal,
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (res.status === 429) {
        await res.body?.cancel();
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
        throw new RdapRateLimitedError(retryAfterMs, `${res.url || url} answered 429${retryAfterMs === null ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new BakenError('RDAP_UNAVAILABLE', { detail: `${res.url || url} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` });
      }
      body = await res.text();
    } catch (err) {
      if (err instanceof BakenError) throw err;
      if (signal.aborted) throw new BakenError('RDAP_TIMEOUT', { detail: `${url} took longer than ${this.options.timeoutMs} ms`, cause: err });
      throw new BakenError('RDAP_UNAVAILABLE', { detail: `${url}: ${describeFetchError(err)}`, cause: err });
    }
    const finalUrl = res.url || url;
    if (body.length > MAX_BODY_CHARS) throw new BakenError('RDAP_BAD_RESPONSE', { detail: `${finalUrl} sent ${body.length} characters` });
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new BakenError('RDAP_BAD_RESPONSE', { detail: `${finalUrl} did not send JSON: ${(err as Error).message}`, cause: err });
    }
    try {
      return readRdapNetwork(json, { queried: ip, fetchedAt: this.clock.now().toISOString(), sourceUrl: finalUrl });
    } catch (err) {
      // Name the URL, so an operator can open the same answer in a browser.
      if (err instanceof BakenError && err.code === 'BAKEN_E_RDAP_BAD_RESPONSE') {
        throw new BakenError('RDAP_BAD_RESPONSE', { detail: `${finalUrl}: ${err.detail ?? ''}`, cause: err });
      }
      throw err;
    }
  }
}

/** fetch wraps the real cause (ECONNREFUSED, a TLS problem, too many redirects) in a generic TypeError. */
function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'fetch failed'} (${cause})` : (e.message ?? String(err));
}
