/**
 * A DNS Response Policy Zone (RPZ) for BIND, Unbound, PowerDNS Recursor and Knot Resolver: SOA and NS records, then
 * per domain a QNAME trigger with the NXDOMAIN action (`CNAME .`) for the name and for every name below it
 * (`*.name`). Owner names are relative: the resolver loads the file under the zone name it configures (for example
 * `rpz.baken`), so the file carries no $ORIGIN and fits any name. The SOA serial increases with every change of
 * content, as secondaries and Unbound's zone reloads expect.
 */
import type { FeedIndicator } from './feed-indicators.js';
import type { RenderMeta } from './render-meta.js';

/**
 * @example
 * // $TTL 300
 * // @ IN SOA localhost. hostmaster.localhost. 1767225600 3600 600 604800 300
 * // @ IN NS localhost.
 * // evil.example IN CNAME .
 * // *.evil.example IN CNAME .
 */
export async function* rpzZone(rows: AsyncIterable<FeedIndicator>, meta: RenderMeta): AsyncGenerator<string> {
  const ttl = meta.rpzTtl;
  yield `; Baken response policy zone: listed domains and their subdomains answer NXDOMAIN.\n`;
  yield `$TTL ${ttl}\n`;
  // serial, refresh, retry, expire, negative TTL
  yield `@ IN SOA localhost. hostmaster.localhost. ${meta.serial} 3600 600 604800 ${ttl}\n`;
  yield `@ IN NS localhost.\n`;
  for await (const i of rows) yield `${i.value} IN CNAME .\n*.${i.value} IN CNAME .\n`;
}
