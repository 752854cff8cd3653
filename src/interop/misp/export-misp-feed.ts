/**
 * The hub's alerts as a MISP feed, per reader, within its TLP rights: what a MISP instance subscribes to at
 * `/feeds/misp/` (manifest.json, hashes.csv, one `<uuid>.json` per event), in the shapes MISP's feed fetcher reads and
 * MISP's own feed tooling writes.
 *
 * - One event per published (or retracted) alert: `info` its title, `date` its publication day, `threat_level_id`
 *   from its severity (critical and high 1, medium 2, low 3), `analysis` 2 (complete), the alert's TLP as a
 *   `tlp:*` tag, `Orgc` the coordinator.
 * - One attribute per indicator the reader may receive in bulk, `to_ids` true, type and category the reverse of
 *   the import (misp-attribute-types.ts), the indicator's own TLP as its tag when it differs from the alert's.
 * - Indicators taken out of an alert by an update, and all indicators of a retracted alert, stay in the event
 *   with `deleted: true`, so a subscribed MISP removes them on its next pull.
 * - `timestamp` moves with every change of the alert or of any of its indicators, so MISP's incremental fetch
 *   (it compares the manifest's timestamps with its own) pulls exactly the changed events.
 * - uuids are stable: derived from the hub's public URL and the alert's (and indicator's) id; the alert id can be
 *   read back from the event uuid, so one event is served without building the whole feed.
 *
 * Which alerts and indicators a reader gets is the one TLP policy's (src/hub/tlp.ts): canSee, and
 * mayGoInBulkFeed with the reader's organisation as the feed's owner (mayGoInPublicFeed for a reader without
 * TLP rights). RED never goes into a feed.
 */
import { createHash } from 'node:crypto';
import type { Context } from '../../platform/context.js';
import { rowAudience } from '../../hub/alerts/alerts.js';
import type { IndicatorType, Severity } from '../../hub/indicators/indicator-types.js';
import { canSee, mayGoInBulkFeed, mayGoInPublicFeed, type Audience, type Tlp, type Viewer } from '../../hub/tlp.js';
import { MISP_EXPORT_TYPES } from './misp-attribute-types.js';
import { tagOfTlp } from './misp-tags.js';

export interface MispFeedAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  deleted: boolean;
  disable_correlation: boolean;
  comment: string;
  timestamp: string;
  Tag?: Array<{ name: string; colour: string }>;
}

export interface MispFeedEvent {
  Event: {
    uuid: string;
    info: string;
    date: string;
    timestamp: string;
    publish_timestamp: string;
    published: boolean;
    analysis: string;
    threat_level_id: string;
    Orgc: { name: string; uuid: string };
    Tag: Array<{ name: string; colour: string }>;
    Attribute: MispFeedAttribute[];
  };
}

export interface MispManifestEntry {
  info: string;
  date: string;
  timestamp: number;
  analysis: number;
  threat_level_id: number;
  Orgc: { name: string; uuid: string };
  Tag: Array<{ name: string; colour: string }>;
}

const THREAT_LEVEL: Record<Severity, number> = { critical: 1, high: 1, medium: 2, low: 3 };
const json = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** 32 hex digits as a UUID of version 8 (RFC 9562: custom, here name-based on SHA-256). */
function uuidOf(hex: string): string {
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The hub's stable uuids, derived from its public URL. */
export function mispUuids(publicUrl: string) {
  const ns = sha256(`baken:misp:${publicUrl.replace(/\/+$/, '')}`);
  const prefix = uuidOf(ns).slice(0, 24);
  return {
    organisation: uuidOf(sha256(`${ns}:organisation`)),
    /** The alert's event uuid: the hub's prefix and the alert id in the last 12 hex digits. */
    event: (alertId: number) => `${prefix}${alertId.toString(16).padStart(12, '0')}`,
    /** The alert id of one of this hub's event uuids; null for any other uuid. */
    alertOf: (uuid: string): number | null => {
      const u = uuid.toLowerCase();
      if (!u.startsWith(prefix) || !/^[0-9a-f]{12}$/.test(u.slice(24))) return null;
      const id = parseInt(u.slice(24), 16);
      return Number.isSafeInteger(id) && id > 0 ? id : null;
    },
    attribute: (alertId: number, indicatorId: number) => uuidOf(sha256(`${ns}:alert:${alertId}:indicator:${indicatorId}`)),
  };
}

/** Whether the reader may get the item in its MISP feed: see it, and the item may go into a bulk feed it owns. */
function mayFeed(viewer: Viewer, item: Audience): boolean {
  if (!canSee(viewer, item)) return false;
  if (viewer.kind === 'member') return mayGoInBulkFeed(item, viewer.organisationId);
  if (viewer.kind === 'staff') return mayGoInBulkFeed(item);
  return mayGoInPublicFeed(item);
}

interface FeedIndicator {
  id: number;
  type: IndicatorType;
  value: string;
  tlp: Tlp;
  updated_at: string;
}

/**
 * The MISP events the reader may receive: every published or retracted alert it may get in bulk, with the
 * indicators it may get. `alertId` builds one alert's event only.
 */
export async function mispFeedEvents(ctx: Context, viewer: Viewer, alertId?: number): Promise<MispFeedEvent[]> {
  const k = ctx.db.kysely;
  const ids = mispUuids(ctx.config.publicUrl);
  const orgc = { name: ctx.config.coordinatorName, uuid: ids.organisation };
  let q = k.selectFrom('alerts').selectAll().where('state', 'in', ['published', 'retracted']);
  if (alertId !== undefined) q = q.where('id', '=', alertId);
  const alerts = (await q.orderBy('id').execute()).filter((a) => mayFeed(viewer, rowAudience(a)));
  const out: MispFeedEvent[] = [];
  for (let start = 0; start < alerts.length; start += 200) {
    const batch = alerts.slice(start, start + 200);
    const batchIds = batch.map((a) => Number(a.id));
    const links = await k
      .selectFrom('alert_indicators')
      .innerJoin('indicators', 'indicators.id', 'alert_indicators.indicator_id')
      .select(['alert_indicators.alert_id', 'indicators.id', 'indicators.type', 'indicators.value', 'indicators.tlp', 'indicators.updated_at'])
      .where('alert_indicators.alert_id', 'in', batchIds)
      .orderBy('indicators.id')
      .execute();
    const current = new Map<number, FeedIndicator[]>();
    for (const l of links) {
      const list = current.get(Number(l.alert_id)) ?? [];
      list.push({ id: Number(l.id), type: l.type, value: l.value, tlp: l.tlp, updated_at: l.updated_at });
      current.set(Number(l.alert_id), list);
    }
    // Indicators an update took out: still in the event, deleted, so a subscribed MISP drops them.
    const versions = await k.selectFrom('alert_versions').select(['alert_id', 'indicator_ids']).where('alert_id', 'in', batchIds).execute();
    const removedIds = new Map<number, Set<number>>();
    for (const v of versions) {
      const a = Number(v.alert_id);
      const now = new Set((current.get(a) ?? []).map((i) => i.id));
      for (const id of json<number[]>(v.indicator_ids)) if (!now.has(id)) (removedIds.get(a) ?? removedIds.set(a, new Set()).get(a)!).add(id);
    }
    const allRemoved = [...new Set([...removedIds.values()].flatMap((s) => [...s]))];
    const removedRows = new Map<number, FeedIndicator>();
    for (let i = 0; i < allRemoved.length; i += 500) {
      for (const r of await k.selectFrom('indicators').select(['id', 'type', 'value', 'tlp', 'updated_at']).where('id', 'in', allRemoved.slice(i, i + 500)).execute()) {
        removedRows.set(Number(r.id), { id: Number(r.id), type: r.type, value: r.value, tlp: r.tlp, updated_at: r.updated_at });
      }
    }
    for (const a of batch) {
      const id = Number(a.id);
      const audience = rowAudience(a);
      const retracted = a.state === 'retracted';
      const present = current.get(id) ?? [];
      const removed = [...(removedIds.get(id) ?? [])].map((x) => removedRows.get(x)).filter((x): x is FeedIndicator => x !== undefined);
      // Every change of the alert or of any indicator in it moves the event on, also one the reader does not get.
      let latest = a.updated_at;
      for (const i of [...present, ...removed]) if (i.updated_at > latest) latest = i.updated_at;
      const attribute = (i: FeedIndicator, deleted: boolean): MispFeedAttribute | null => {
        if (!mayFeed(viewer, { ...audience, tlp: i.tlp })) return null;
        const t = MISP_EXPORT_TYPES[i.type];
        return {
          uuid: ids.attribute(id, i.id),
          type: t.type,
          category: t.category,
          value: i.value,
          to_ids: !deleted,
          deleted,
          disable_correlation: false,
          comment: '',
          timestamp: String(seconds(deleted ? latest : i.updated_at > a.updated_at ? i.updated_at : a.updated_at)),
          ...(i.tlp !== a.tlp ? { Tag: [tagOfTlp(i.tlp)] } : {}),
        };
      };
      const attributes = [...present.map((i) => attribute(i, retracted)), ...removed.map((i) => attribute(i, true))].filter((x): x is MispFeedAttribute => x !== null);
      const tags = [tagOfTlp(a.tlp), { name: `baken:severity="${a.severity}"`, colour: '#0088cc' }, ...(retracted ? [{ name: 'baken:retracted', colour: '#777777' }] : [])];
      const published = a.published_at ?? a.updated_at;
      out.push({
        Event: {
          uuid: ids.event(id),
          info: retracted ? `[retracted] ${a.title}` : a.title,
          date: published.slice(0, 10),
          timestamp: String(seconds(latest)),
          publish_timestamp: String(seconds(published)),
          published: true,
          analysis: '2',
          threat_level_id: String(THREAT_LEVEL[a.severity]),
          Orgc: orgc,
          Tag: tags,
          Attribute: attributes,
        },
      });
    }
  }
  return out;
}

/** One event of the reader's feed by its uuid; null when it is not one of this hub's or not the reader's. */
export async function mispFeedEvent(ctx: Context, viewer: Viewer, uuid: string): Promise<MispFeedEvent | null> {
  const alertId = mispUuids(ctx.config.publicUrl).alertOf(uuid);
  if (alertId === null) return null;
  return (await mispFeedEvents(ctx, viewer, alertId))[0] ?? null;
}

/** The feed's manifest.json: event uuid → what MISP needs to decide whether to fetch it. */
export function mispManifest(events: readonly MispFeedEvent[]): Record<string, MispManifestEntry> {
  const out: Record<string, MispManifestEntry> = {};
  for (const { Event: e } of events) {
    out[e.uuid] = { Orgc: e.Orgc, Tag: e.Tag, info: e.info, date: e.date, analysis: Number(e.analysis), threat_level_id: Number(e.threat_level_id), timestamp: Number(e.timestamp) };
  }
  return out;
}

/** The feed's hashes.csv: `md5(value),event uuid` per attribute (each part of a composite value), as MISP writes it. */
export function mispHashes(events: readonly MispFeedEvent[]): string {
  const lines: string[] = [];
  for (const { Event: e } of events) {
    for (const a of e.Attribute) {
      if (a.deleted) continue;
      for (const part of a.type.includes('|') ? a.value.split('|') : [a.value]) lines.push(`${createHash('md5').update(part).digest('hex')},${e.uuid}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
