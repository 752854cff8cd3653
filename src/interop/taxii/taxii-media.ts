/**
 * TAXII 2.1 media types and content negotiation (TAXII 2.1, section 1.6.8). Every answer is
 * `application/taxii+json;version=2.1`; STIX content travels inside TAXII envelopes.
 */

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim());
      const map = new Map<string, string>();
      for (const p of params) {
        const eq = p.indexOf('=');
        if (eq > 0) map.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, ''));
      }
      return { type: type.toLowerCase(), params: map };
    })
    .filter((r) => r.type !== '');
}

/**
 * Whether an Accept header lets us answer in TAXII 2.1. `application/taxii+json` without a version means the
 * latest the server speaks (2.1); a client that accepts anything (`*` / `*`, `application/*`, or no Accept at all,
 * as curl sends) gets it too. Another version, or only other types, is refused (406).
 * @example acceptsTaxii('application/taxii+json;version=2.1') // true
 * @example acceptsTaxii('application/taxii+json;version=2.0') // false
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return parseRanges(accept).some((r) => {
    if (r.params.get('q') !== undefined && Number(r.params.get('q')) === 0) return false;
    if (r.type === '*/*' || r.type === 'application/*') return true;
    if (r.type !== 'application/taxii+json') return false;
    const version = r.params.get('version');
    return version === undefined || version === '2.1';
  });
}

/**
 * Whether a request body is a TAXII 2.1 envelope by its Content-Type (TAXII 2.1, 5.4: the media type is
 * `application/taxii+json;version=2.1`; without the version parameter it means the same).
 */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [range] = parseRanges(contentType);
  if (!range || range.type !== 'application/taxii+json') return false;
  const version = range.params.get('version');
  return version === undefined || version === '2.1';
}
