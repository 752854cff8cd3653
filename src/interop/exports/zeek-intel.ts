/**
 * A Zeek Intelligence Framework file: a `#fields` header, then one tab-separated line per indicator with the
 * indicator, its Intel::Type and the metadata Zeek logs with a hit. `-` marks an unset field (Zeek's default
 * unset_field); tabs and line breaks never occur inside a field, as they would shift Zeek's columns.
 *
 * URLs go in without their scheme, as Zeek's `HTTP::build_url` reports what it sees (`host[:port]/path`).
 */
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { tlpLabel } from '../../hub/tlp.js';
import type { FeedIndicator } from './feed-indicators.js';
import { urlWithoutScheme, type RenderMeta } from './render-meta.js';

export const ZEEK_FIELDS = ['indicator', 'indicator_type', 'meta.source', 'meta.desc', 'meta.url'] as const;

export const ZEEK_INTEL_TYPES: Record<IndicatorType, string> = {
  ipv4: 'Intel::ADDR',
  ipv6: 'Intel::ADDR',
  cidr: 'Intel::SUBNET',
  domain: 'Intel::DOMAIN',
  url: 'Intel::URL',
  md5: 'Intel::FILE_HASH',
  sha1: 'Intel::FILE_HASH',
  sha256: 'Intel::FILE_HASH',
  email: 'Intel::EMAIL',
};

/** A field Zeek's ASCII reader takes as one column: no tabs or line breaks, `-` when empty. */
export function zeekField(s: string | null | undefined): string {
  const t = (s ?? '').replace(/[\t\r\n]+/g, ' ').trim();
  return t === '' ? '-' : t;
}

export function zeekIndicator(i: Pick<FeedIndicator, 'type' | 'value'>): string {
  return i.type === 'url' ? urlWithoutScheme(i.value) : i.value;
}

/** What an analyst reading intel.log wants to know at once: TLP, confidence, labels. */
export function zeekDescription(i: Pick<FeedIndicator, 'tlp' | 'confidence' | 'labels'>): string {
  const parts = [tlpLabel(i.tlp), `confidence ${i.confidence}`];
  if (i.labels.length > 0) parts.push(`labels ${i.labels.join(', ')}`);
  return parts.join('; ');
}

/**
 * @example
 * // #fields	indicator	indicator_type	meta.source	meta.desc	meta.url
 * // evil.example/gate.php	Intel::URL	CERT	TLP:GREEN; confidence 80	https://baken.example/alerts/12
 */
export async function* zeekIntel(rows: AsyncIterable<FeedIndicator>, meta: RenderMeta): AsyncGenerator<string> {
  yield `#fields\t${ZEEK_FIELDS.join('\t')}\n`;
  const source = zeekField(meta.sourceName);
  for await (const i of rows) {
    const url = i.alertId === null ? '-' : `${meta.publicUrl}/alerts/${i.alertId}`;
    yield `${zeekField(zeekIndicator(i))}\t${ZEEK_INTEL_TYPES[i.type]}\t${source}\t${zeekField(zeekDescription(i))}\t${zeekField(url)}\n`;
  }
}
