/**
 * External dynamic lists for firewalls: one value a line and nothing else, the form firewall EDL / threat-feed
 * features read (addresses and networks in CIDR notation; domain names; URLs without their scheme, as such lists
 * match `host/path` and refuse or ignore `http://`).
 */
import type { FeedIndicator } from './feed-indicators.js';
import { urlWithoutScheme } from './render-meta.js';

export async function* edlList(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  for await (const i of rows) yield `${i.type === 'url' ? urlWithoutScheme(i.value) : i.value}\n`;
}
