/**
 * Some consumers of Baken's detection exports can be given a URL and nothing else: no header, no user name and
 * password (firewall threat-feed and URL-table features among them). For those paths only, an API key may come as
 * `?key=KEY`. Before anything routes or logs the request, the key is taken out of the URL and presented as
 * `Authorization: Bearer KEY`, so from then on it is authenticated, redacted and audited exactly as a header key,
 * and the URL that Baken logs, routes and reports no longer holds it. (A reverse proxy in front logs the URL it saw:
 * the docs say so, and to prefer a header wherever the consumer can send one.)
 */
import type { IncomingMessage } from 'node:http';

/**
 * A `rewriteUrl` for Fastify: moves `key` out of the query of URLs under one of `prefixes` into the Authorization
 * header (a header the caller sent wins; the query key is dropped either way).
 * @example Fastify({ rewriteUrl: feedKeyToHeader(['/feeds/zeek/']) })
 */
export function feedKeyToHeader(prefixes: readonly string[]) {
  return (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (q < 0 || !prefixes.some((p) => url.startsWith(p))) return url;
    const params = new URLSearchParams(url.slice(q + 1));
    if (!params.has('key')) return url;
    const key = params.get('key') ?? '';
    params.delete('key');
    if (req.headers.authorization === undefined) req.headers.authorization = `Bearer ${key}`;
    const rest = params.toString();
    const clean = rest === '' ? url.slice(0, q) : `${url.slice(0, q)}?${rest}`;
    // Fastify keeps the URL as received in originalUrl; that one must not hold the key either.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = clean;
    return clean;
  };
}
