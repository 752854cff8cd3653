/**
 * Which indicators go into a detection export, for whom, and what version of that content a poller has.
 *
 * An indicator goes into the feed of `owner` (a member organisation, or null for the all-members view) when it is
 * - valid now: valid_from unset or past, valid_until unset or in the future (expired ones leave the feed);
 * - not retracted: an indicator whose every alert has been retracted is withdrawn with them, unless a published
 *   alert still carries it;
 * - allowed by the one TLP policy ({@link mayGoInBulkFeed}) for a bulk feed of that owner: on its own TLP with no
 *   audience (CLEAR and GREEN), or through a published alert that carries it, at the stricter of the alert's and the
 *   indicator's TLP over the alert's audience (AMBER to the audience, AMBER+STRICT to a recipient's own feed, RED
 *   never).
 *
 * The policy is asked here, in code, once per (alert, TLP level) and once per level on its own; the database only
 * applies the answers (lists of alert ids per level), so 100,000 rows need no per-row policy call and the rule has one
 * home. The same filter drives the version digest (a few aggregates, no rendering) and the rows of the export.
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Context } from '../../platform/context.js';
import type { AlertTable } from '../../platform/db/schema.js';
import { audienceOf } from '../../hub/alerts/alerts.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { mayGoInBulkFeed, tlpRank, TLP_LEVELS, type Tlp } from '../../hub/tlp.js';

/** One row of an export: what the formats need, nothing more. */
export interface FeedIndicator {
  id: number;
  type: IndicatorType;
  value: string;
  tlp: Tlp;
  confidence: number;
  labels: string[];
  source: string | null;
  validFrom: string | null;
  validUntil: string | null;
  firstSeen: string;
  lastSeen: string;
  asn: number | null;
  country: string | null;
  /** The newest published alert that carries it into this feed, if any (for a link back). */
  alertId: number | null;
}

/** The policy's answers for one owner, ready to filter rows. */
export interface FeedSelection {
  owner: number | null;
  now: string;
  /** Levels an indicator may have to go in on its own TLP. */
  standalone: Tlp[];
  /** Per level: the published alerts through which an indicator of that level goes in. */
  viaAlerts: Map<Tlp, number[]>;
  /** Every published alert that lets anything through, newest first, with when it last changed. */
  grantingAlerts: Array<{ id: number; updatedAt: string }>;
  publishedIds: number[];
  retractedIds: number[];
}

const json = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
const stricter = (a: Tlp, b: Tlp): Tlp => (tlpRank(a) >= tlpRank(b) ? a : b);

function alertAudience(r: Selectable<AlertTable>) {
  return audienceOf({
    tlp: r.tlp,
    audience: { kind: r.audience_kind, sectors: json(r.audience_sectors), organisationIds: json(r.audience_organisations) },
    namedUserIds: json(r.named_users),
    resolvedOrganisationIds: json(r.resolved_organisations),
  });
}

/**
 * Asks the TLP policy what may go into the bulk feed of `owner`.
 * @example const sel = await feedSelection(ctx, 7); // the feed of member organisation 7
 */
export async function feedSelection(ctx: Context, owner: number | null): Promise<FeedSelection> {
  const now = ctx.clock.now().toISOString();
  const standalone = TLP_LEVELS.filter((tlp) => mayGoInBulkFeed({ tlp, organisationIds: [], namedUserIds: [] }, owner));
  const viaAlerts = new Map<Tlp, number[]>(TLP_LEVELS.map((t) => [t, []]));
  const grantingAlerts: FeedSelection['grantingAlerts'] = [];
  const publishedIds: number[] = [];
  const retractedIds: number[] = [];
  const alerts = await ctx.db.kysely.selectFrom('alerts').selectAll().where('state', '!=', 'draft').orderBy('id', 'desc').execute();
  for (const a of alerts) {
    const id = Number(a.id);
    if (a.state === 'retracted') {
      retractedIds.push(id);
      continue;
    }
    publishedIds.push(id);
    const audience = alertAudience(a);
    let grants = false;
    for (const level of TLP_LEVELS) {
      if (mayGoInBulkFeed({ ...audience, tlp: stricter(a.tlp, level) }, owner)) {
        viaAlerts.get(level)!.push(id);
        grants = true;
      }
    }
    if (grants) grantingAlerts.push({ id, updatedAt: a.updated_at });
  }
  return { owner, now, standalone, viaAlerts, grantingAlerts, publishedIds, retractedIds };
}

function idList(ids: readonly number[]): RawBuilder<unknown> {
  return sql.join(ids.map((id) => sql.lit(id)));
}

function linkedTo(ids: readonly number[]): RawBuilder<boolean> {
  if (ids.length === 0) return sql<boolean>`1 = 0`;
  return sql<boolean>`exists (select 1 from alert_indicators ai where ai.indicator_id = i.id and ai.alert_id in (${idList(ids)}))`;
}

/** The where-clause over `indicators i` that the selection stands for, limited to `types`. */
function whereOf(sel: FeedSelection, types: readonly IndicatorType[]): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [];
  if (sel.standalone.length > 0) {
    // On its own TLP, unless every alert it was sent in has been retracted.
    const notWithdrawn = sel.retractedIds.length === 0 ? sql<boolean>`1 = 1` : sql<boolean>`(not ${linkedTo(sel.retractedIds)} or ${linkedTo(sel.publishedIds)})`;
    parts.push(sql<boolean>`(i.tlp in (${sql.join(sel.standalone.map((t) => sql.lit(t)))}) and ${notWithdrawn})`);
  }
  for (const [level, ids] of sel.viaAlerts) {
    // Levels that go in on their own need no alert.
    if (ids.length > 0 && !sel.standalone.includes(level)) parts.push(sql<boolean>`(i.tlp = ${sql.lit(level)} and ${linkedTo(ids)})`);
  }
  const allowed = parts.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`(${sql.join(parts, sql` or `)})`;
  const typeList = sql.join(types.map((t) => sql.lit(t)));
  return sql<boolean>`i.type in (${typeList}) and (i.valid_from is null or i.valid_from <= ${sel.now}) and (i.valid_until is null or i.valid_until > ${sel.now}) and ${allowed}`;
}

/**
 * A digest of what the feed holds, from a few aggregates over the selected rows (no rendering): which rows (count and
 * sums of ids), the newest change among them, and the alerts that carry them in. `extra` names what else shapes the
 * bytes (the format, its settings).
 */
export async function feedVersion(ctx: Context, sel: FeedSelection, types: readonly IndicatorType[], extra: unknown): Promise<string> {
  const where = whereOf(sel, types);
  const r = await sql<{ n: number | string; s: number | string | null; s2: number | string | null; m: string | null }>`select count(*) as n, sum(i.id) as s, sum(i.id * i.id) as s2, max(i.updated_at) as m from indicators i where ${where}`.execute(ctx.db.kysely);
  const row = r.rows[0]!;
  const h = createHash('sha256');
  h.update(JSON.stringify({ owner: sel.owner, types, extra, n: String(row.n), s: String(row.s ?? 0), s2: String(row.s2 ?? 0), m: row.m, alerts: sel.grantingAlerts }));
  return h.digest('base64url').slice(0, 32);
}

interface Row {
  id: number;
  type: IndicatorType;
  value: string;
  tlp: Tlp;
  confidence: number;
  labels: string;
  source: string | null;
  valid_from: string | null;
  valid_until: string | null;
  first_seen: string;
  last_seen: string;
  asn: number | string | null;
  country: string | null;
}

/**
 * The selected indicators in id order, fetched in batches so that a feed of any size streams in bounded memory.
 * @example for await (const i of feedIndicators(ctx, sel, ['domain'])) out.write(i.value + '\n');
 */
export async function* feedIndicators(ctx: Context, sel: FeedSelection, types: readonly IndicatorType[], batch = 5000): AsyncGenerator<FeedIndicator> {
  const where = whereOf(sel, types);
  // The newest alert carrying each indicator into this feed, for links back; only alerts the owner may read.
  const links = new Map<number, number>();
  const granting = sel.grantingAlerts.map((a) => a.id);
  for (let start = 0; start < granting.length; start += 500) {
    const ids = granting.slice(start, start + 500);
    const rows = await ctx.db.kysely.selectFrom('alert_indicators').select(['alert_id', 'indicator_id']).where('alert_id', 'in', ids).execute();
    for (const r of rows) {
      const ind = Number(r.indicator_id);
      const alert = Number(r.alert_id);
      if ((links.get(ind) ?? 0) < alert) links.set(ind, alert);
    }
  }
  let after = 0;
  for (;;) {
    const r = await sql<Row>`select i.id, i.type, i.value, i.tlp, i.confidence, i.labels, i.source, i.valid_from, i.valid_until, i.first_seen, i.last_seen, i.asn, i.country from indicators i where ${where} and i.id > ${after} order by i.id limit ${batch}`.execute(ctx.db.kysely);
    for (const x of r.rows) {
      const id = Number(x.id);
      yield {
        id,
        type: x.type,
        value: x.value,
        tlp: x.tlp,
        confidence: Number(x.confidence),
        labels: JSON.parse(x.labels) as string[],
        source: x.source,
        validFrom: x.valid_from,
        validUntil: x.valid_until,
        firstSeen: x.first_seen,
        lastSeen: x.last_seen,
        asn: x.asn === null ? null : Number(x.asn),
        country: x.country,
        alertId: links.get(id) ?? null,
      };
    }
    if (r.rows.length < batch) return;
    after = Number(r.rows[r.rows.length - 1]!.id);
  }
}

/**
 * When the feed last changed and its serial: recorded the first time a new version is served, so Last-Modified and an
 * RPZ serial move with the content and never backwards.
 */
export async function feedState(ctx: Context, feed: string, owner: number | null, version: string): Promise<{ changedAt: string; serial: number }> {
  const key = owner ?? 0;
  const db = ctx.db.kysely;
  const found = await db.selectFrom('feed_states').selectAll().where('feed', '=', feed).where('owner', '=', key).executeTakeFirst();
  if (found && found.version === version) return { changedAt: found.changed_at, serial: Number(found.serial) };
  const now = ctx.clock.now();
  // HTTP dates have whole seconds; a change must show as a later second than the one before.
  let at = Math.floor(now.getTime() / 1000);
  if (found) at = Math.max(at, Math.floor(Date.parse(found.changed_at) / 1000) + 1);
  const changedAt = new Date(at * 1000).toISOString();
  const serial = found ? Math.max(Number(found.serial) + 1, at) : at;
  if (found) {
    // Only if nobody else moved it on meanwhile (another node serving the same feed).
    await db.updateTable('feed_states').set({ version, changed_at: changedAt, serial }).where('feed', '=', feed).where('owner', '=', key).where('version', '=', found.version).execute();
  } else {
    await db.insertInto('feed_states').values({ feed, owner: key, version, changed_at: changedAt, serial }).onConflict((oc) => oc.columns(['feed', 'owner']).doNothing()).execute();
  }
  const now2 = await db.selectFrom('feed_states').selectAll().where('feed', '=', feed).where('owner', '=', key).executeTakeFirstOrThrow();
  return { changedAt: now2.changed_at, serial: Number(now2.serial) };
}
