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
import { sql, type RawBuilder } from 'kysely';
import type { Context } from '../../platform/context.js';
import { rowAudience } from '../../hub/alerts/alerts.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { mayGoInBulkFeed, stricterTlp, TLP_LEVELS, type Tlp } from '../../hub/tlp.js';

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
    const audience = rowAudience(a);
    let grants = false;
    for (const level of TLP_LEVELS) {
      if (mayGoInBulkFeed({ ...audience, tlp: stricterTlp(a.tlp, level) }, owner)) {
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
function whereOf(sel: FeedSelection, types: readonly IndicatorType[], inIdOrder = false): RawBuilder<boolean> {
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
  // Pages in id order must walk the primary key: on the (type, value) index SQLite would sort every matching row
  // again for each page. `|| ''` keeps the type test off that index.
  const type = inIdOrder ? sql`i.type || ''` : sql`i.type`;
  return sql<boolean>`${type} in (${typeList}) and (i.valid_from is null or i.valid_from <= ${sel.now}) and (i.valid_until is null or i.valid_until > ${sel.now}) and ${allowed}`;
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
  const where = whereOf(sel, types, true);
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

/** How long a recorded version is trusted without asking the aggregates again, whatever the basis says. */
export const VERSION_TRUST_MS = 60_000;

/**
 * A digest of the newest changes anywhere in the hub that can change any feed: indicators (newest id, newest change)
 * and alerts (newest change, how many). Indexed lookups; never shown to anyone.
 */
export async function hubBasis(ctx: Context, extra: unknown): Promise<string> {
  const db = ctx.db.kysely;
  // No count of indicators (a scan): they are never deleted, and a version is trusted for a minute at most anyway.
  const i = await db.selectFrom('indicators').select((eb) => [eb.fn.max('id').as('id'), eb.fn.max('updated_at').as('at')]).executeTakeFirstOrThrow();
  const a = await db.selectFrom('alerts').select((eb) => [eb.fn.max('updated_at').as('at'), eb.fn.countAll().as('n')]).executeTakeFirstOrThrow();
  return createHash('sha256').update(JSON.stringify([String(i.id), i.at, a.at, String(a.n), extra])).digest('base64url');
}

/** The next moment after `now` at which an indicator becomes valid or expires (the set of valid ones changes). */
export async function nextValidityChange(ctx: Context, now: string): Promise<string | null> {
  const db = ctx.db.kysely;
  const from = await db.selectFrom('indicators').select((eb) => eb.fn.min('valid_from').as('t')).where('valid_from', '>', now).executeTakeFirstOrThrow();
  const until = await db.selectFrom('indicators').select((eb) => eb.fn.min('valid_until').as('t')).where('valid_until', '>', now).executeTakeFirstOrThrow();
  const times = [from.t, until.t].filter((t): t is string => typeof t === 'string');
  return times.length === 0 ? null : times.sort()[0]!;
}

export interface FeedState {
  version: string;
  changedAt: string;
  serial: number;
  basis: string;
  validThrough: string | null;
}

export async function readFeedState(ctx: Context, feed: string, owner: number | null): Promise<FeedState | null> {
  const r = await ctx.db.kysely.selectFrom('feed_states').selectAll().where('feed', '=', feed).where('owner', '=', owner ?? 0).executeTakeFirst();
  return r ? { version: r.version, changedAt: r.changed_at, serial: Number(r.serial), basis: r.basis, validThrough: r.valid_through } : null;
}

/**
 * Records the version just computed. When it differs from the one before, the feed changed now: changed_at moves to
 * this second (at least one past the previous, as HTTP dates have whole seconds) and the serial goes up, so
 * Last-Modified and an RPZ serial move with the content and never backwards.
 */
export async function recordFeedState(ctx: Context, feed: string, owner: number | null, found: FeedState | null, next: { version: string; basis: string; validThrough: string | null }): Promise<FeedState> {
  const key = owner ?? 0;
  const db = ctx.db.kysely;
  const nowMs = ctx.clock.now().getTime();
  const trustUntil = new Date(nowMs + VERSION_TRUST_MS).toISOString();
  const validThrough = next.validThrough !== null && next.validThrough < trustUntil ? next.validThrough : trustUntil;
  if (found && found.version === next.version) {
    await db.updateTable('feed_states').set({ basis: next.basis, valid_through: validThrough }).where('feed', '=', feed).where('owner', '=', key).execute();
    return { ...found, basis: next.basis, validThrough };
  }
  let at = Math.floor(nowMs / 1000);
  if (found) at = Math.max(at, Math.floor(Date.parse(found.changedAt) / 1000) + 1);
  const changedAt = new Date(at * 1000).toISOString();
  const serial = found ? Math.max(found.serial + 1, at) : at;
  const row = { version: next.version, changed_at: changedAt, serial, basis: next.basis, valid_through: validThrough };
  if (found) {
    // Only if nobody moved it on meanwhile (another node serving the same feed); then theirs stands.
    await db.updateTable('feed_states').set(row).where('feed', '=', feed).where('owner', '=', key).where('version', '=', found.version).execute();
  } else {
    await db.insertInto('feed_states').values({ feed, owner: key, ...row }).onConflict((oc) => oc.columns(['feed', 'owner']).doNothing()).execute();
  }
  return (await readFeedState(ctx, feed, owner))!;
}
