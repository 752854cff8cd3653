/**
 * The detection exports under /feeds/: which indicator types each holds, how it is rendered, and the one path from
 * "who asks" to "version, Last-Modified and bytes". Routes only authenticate and call {@link prepareExport}.
 */
import type { Context } from '../../platform/context.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { edlList } from './edl-list.js';
import { feedIndicators, feedSelection, feedVersion, hubBasis, nextValidityChange, readFeedState, recordFeedState, type FeedIndicator, type FeedState } from './feed-indicators.js';
import { indicatorCsv } from './indicator-csv.js';
import type { RenderMeta } from './render-meta.js';
import { rpzZone } from './rpz-zone.js';
import { suricataDomainDataset, suricataIpDataset, suricataRules, suricataSha256Dataset } from './suricata-datasets.js';
import { zeekIntel } from './zeek-intel.js';

export interface DetectionExport {
  /** Stable name (feed_states.feed). */
  name: string;
  path: string;
  types: readonly IndicatorType[];
  contentType: string;
  filename: string;
  render(rows: AsyncIterable<FeedIndicator>, meta: RenderMeta): AsyncIterable<string>;
  /** What of the render meta shapes this export's bytes (besides the rows and the serial). */
  shapedBy?(meta: RenderMeta): unknown;
}

/** Raise when an export's bytes change for the same rows (a format fix), so pollers fetch again. */
const FORMAT_REVISION = 1;

const TEXT = 'text/plain; charset=utf-8';

export const DETECTION_EXPORTS: readonly DetectionExport[] = [
  {
    name: 'zeek-intel',
    path: '/feeds/zeek/intel.dat',
    types: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'],
    contentType: TEXT,
    filename: 'baken-intel.dat',
    render: zeekIntel,
    shapedBy: (m) => [m.publicUrl, m.sourceName],
  },
  { name: 'suricata-ip', path: '/feeds/suricata/baken-ip.lst', types: ['ipv4', 'ipv6'], contentType: TEXT, filename: 'baken-ip.lst', render: suricataIpDataset },
  { name: 'suricata-domain', path: '/feeds/suricata/baken-domain.lst', types: ['domain'], contentType: TEXT, filename: 'baken-domain.lst', render: suricataDomainDataset },
  { name: 'suricata-sha256', path: '/feeds/suricata/baken-sha256.lst', types: ['sha256'], contentType: TEXT, filename: 'baken-sha256.lst', render: suricataSha256Dataset },
  { name: 'suricata-rules', path: '/feeds/suricata/baken.rules', types: ['cidr'], contentType: TEXT, filename: 'baken.rules', render: suricataRules },
  { name: 'rpz', path: '/feeds/rpz/baken.rpz', types: ['domain'], contentType: 'text/dns; charset=utf-8', filename: 'baken.rpz', render: rpzZone, shapedBy: (m) => m.rpzTtl },
  { name: 'edl-ip', path: '/feeds/edl/ip.txt', types: ['ipv4', 'ipv6', 'cidr'], contentType: TEXT, filename: 'baken-ip.txt', render: edlList },
  { name: 'edl-domain', path: '/feeds/edl/domain.txt', types: ['domain'], contentType: TEXT, filename: 'baken-domain.txt', render: edlList },
  { name: 'edl-url', path: '/feeds/edl/url.txt', types: ['url'], contentType: TEXT, filename: 'baken-url.txt', render: edlList },
  {
    name: 'csv',
    path: '/feeds/csv/indicators.csv',
    types: ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'],
    contentType: 'text/csv; charset=utf-8; header=present',
    filename: 'baken-indicators.csv',
    render: indicatorCsv,
  },
];

export interface PreparedExport {
  /** A digest of the content: the ETag. */
  version: string;
  /** When the content last changed (ISO 8601, whole seconds): Last-Modified. */
  changedAt: string;
  /** The bytes, rendered only when asked for, in chunks of about 64 KiB. */
  body(): AsyncIterable<string>;
}

/** The render settings of this installation. */
export function renderMetaOf(ctx: Context, state: { serial: number; changedAt: string }): RenderMeta {
  return { ...state, publicUrl: ctx.config.publicUrl, sourceName: ctx.config.coordinatorName, rpzTtl: ctx.config.feedRpzTtl };
}

/**
 * Works out the version of an export for one owner (a member organisation; null for the all-members view of
 * coordinator keys) without rendering it, and how to render it.
 * @example
 * const p = await prepareExport(ctx, DETECTION_EXPORTS[0]!, 7);
 * if (p.version !== ifNoneMatch) for await (const chunk of p.body()) res.write(chunk);
 */
export async function prepareExport(ctx: Context, exp: DetectionExport, owner: number | null): Promise<PreparedExport> {
  const extra = [FORMAT_REVISION, exp.name, exp.shapedBy?.(renderMetaOf(ctx, { serial: 0, changedAt: '' })) ?? null];
  const now = ctx.clock.now().toISOString();
  // Read before anything else: a change after this point shows as a new basis at the next poll.
  const basis = await hubBasis(ctx, extra);
  const known = await readFeedState(ctx, exp.name, owner);
  let state: FeedState;
  if (known && known.basis === basis && known.validThrough !== null && now < known.validThrough) {
    // Nothing in the hub moved since this version was computed, and no indicator became valid or expired.
    state = known;
  } else {
    const sel = await feedSelection(ctx, owner);
    const version = await feedVersion(ctx, sel, exp.types, extra);
    state = await recordFeedState(ctx, exp.name, owner, known, { version, basis, validThrough: await nextValidityChange(ctx, now) });
  }
  const meta = renderMetaOf(ctx, { serial: state.serial, changedAt: state.changedAt });
  return {
    version: state.version,
    changedAt: state.changedAt,
    body: async function* () {
      yield* chunked(exp.render(feedIndicators(ctx, await feedSelection(ctx, owner), exp.types), meta));
    },
  };
}

/** Joins small pieces into chunks, so a 100,000-line list is a few hundred writes rather than 100,000. */
export async function* chunked(pieces: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let buf = '';
  for await (const p of pieces) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}
