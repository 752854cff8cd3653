/**
 * Sightings: "melding terug bij waarneming". A member organisation reports that it observed an indicator, one
 * at a time (API, the alert page) or in bulk; values the hub does not know yet are kept as observations for
 * analysts to triage. A sighting of an indicator of a published alert is re-broadcast at once to the rest of that
 * alert's audience: on the live stream (`sighting.rebroadcast`) when the sighting commits, and within about a second
 * on the member's webhook (`sightings.reported`, one call carrying every sighting of that second) and by email at most
 * once per alert per member per `BAKEN_SIGHTING_EMAIL_INTERVAL_MINUTES` (see sighting-rebroadcasts.ts; the summary of
 * the rest when the interval is over is {@link flushSightingEmails}). Other members learn the sector and the count,
 * never the reporter's name unless it chose `shareName`; coordinator staff see everything, named.
 */
import type { Kysely } from 'kysely';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueEmail } from '../../platform/delivery/outbox.js';
import { BakenError, type FieldProblem } from '../../platform/errors.js';
import { alertUrl } from '../alerts/alert-messages.js';
import { rowAudience } from '../alerts/alerts.js';
import { publishHubEvents } from '../hub-event-relay.js';
import type { SightingHubEvent } from '../hub-events.js';
import { appendIndicatorEvents } from '../indicators/indicators.js';
import { IndicatorError, normalizeIndicator } from '../indicators/normalize-indicator.js';
import { memberRecipients } from '../members/member-profile.js';
import { canSee, stricterTlp, type Audience, type Tlp, type Viewer } from '../tlp.js';
import { renderSightingSummaryEmail, type SightingNotice } from './sighting-messages.js';
import { queueSightingRebroadcast } from './sighting-rebroadcasts.js';

/** One reported observation. Either `value` (any spelling, defanged too) or `indicatorId`. */
export interface SightingInput {
  value?: string | null;
  /** The indicator type when the value alone is ambiguous. */
  type?: string | null;
  indicatorId?: number | null;
  /** The alert the reporter saw it in (the alert page's "we see this"); must be one it may read. */
  alertId?: number | null;
  /** How many times it was observed; default 1. */
  count?: number | null;
  /** ISO 8601; both default to now. */
  firstSeen?: string | null;
  lastSeen?: string | null;
  /** For the coordinator (and the reporter's own organisation); never re-broadcast. */
  note?: string | null;
}

export interface ReportOptions {
  /** Whether other members may see the reporting organisation's name; default false (they learn its sector). */
  shareName?: boolean;
}

export interface Sighting {
  id: number;
  organisationId: number;
  organisationName: string;
  indicator: { id: number; type: string; value: string } | null;
  /**
   * The value as kept for triage. For a member, also what a sighting of an indicator it may not see looks like, with
   * `id` null and `state` always `open` (see {@link sightingsAsSeenBy}).
   */
  observation: { id: number | null; type: string | null; value: string; state: 'open' | 'dismissed' | 'promoted' } | null;
  alertId: number | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  note: string | null;
  shareName: boolean;
  reportedBy: string | null;
  reportedAt: string;
}

export interface RejectedSighting {
  /** The item's position in the request, from 0. */
  index: number;
  reason: string;
}

const MAX_NOTE = 2000;
const MAX_COUNT = 1_000_000_000;
const actorOf = (by: Caller) => (by.actor.kind === 'anonymous' ? null : by.actor.label);

/** An item checked and resolved: an indicator, or the value to keep as an observation. */
type Resolved = {
  target: { kind: 'indicator'; id: number; type: string; value: string; tlp: Tlp } | { kind: 'observation'; type: string | null; value: string };
  alertId: number | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  note: string | null;
};

function isoOrNull(s: string | null | undefined, now: string): string | null {
  if (s == null || s === '') return now;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

async function resolveItem(trx: Kysely<Database>, viewer: Viewer, item: SightingInput, now: string): Promise<Resolved | string> {
  const count = item.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) return 'count: a whole number from 1';
  const firstSeen = isoOrNull(item.firstSeen, now);
  const lastSeen = isoOrNull(item.lastSeen, now);
  if (!firstSeen) return 'first_seen: not a date and time (ISO 8601)';
  if (!lastSeen) return 'last_seen: not a date and time (ISO 8601)';
  if (firstSeen > lastSeen) return 'first_seen: after last_seen';
  const note = item.note?.trim() ? item.note.trim() : null;
  if (note && note.length > MAX_NOTE) return `note: at most ${MAX_NOTE} characters`;
  let alertId: number | null = null;
  if (item.alertId != null) {
    const a = await trx.selectFrom('alerts').selectAll().where('id', '=', item.alertId).executeTakeFirst();
    if (!a || a.state === 'draft' || !canSee(viewer, rowAudience(a))) return `alert_id: there is no alert ${item.alertId}`;
    alertId = Number(a.id);
  }
  const base = { alertId, count, firstSeen, lastSeen, note };
  if (item.indicatorId != null) {
    const r = await trx.selectFrom('indicators').select(['id', 'type', 'value', 'tlp']).where('id', '=', item.indicatorId).executeTakeFirst();
    // An indicator the reporter may not see is as unknown to it as one that does not exist.
    if (!r || !(await maySeeIndicator(trx, viewer, Number(r.id), r.tlp))) return `indicator_id: there is no indicator ${item.indicatorId}`;
    return { ...base, target: { kind: 'indicator', id: Number(r.id), type: r.type, value: r.value, tlp: r.tlp } };
  }
  const raw = item.value?.trim() ?? '';
  if (raw === '') return 'value: give a value or an indicator_id';
  if (raw.length > 4096) return 'value: at most 4096 characters';
  let v;
  try {
    v = normalizeIndicator(raw, { type: item.type ?? null, lenient: true });
  } catch (err) {
    if (err instanceof IndicatorError) return `value: ${err.message}`;
    throw err;
  }
  const r = await trx.selectFrom('indicators').select(['id', 'type', 'value', 'tlp']).where('type', '=', v.type).where('value', '=', v.value).executeTakeFirst();
  if (r) return { ...base, target: { kind: 'indicator', id: Number(r.id), type: r.type, value: r.value, tlp: r.tlp } };
  return { ...base, target: { kind: 'observation', type: v.type, value: v.value } };
}

/** Whether the viewer may know an indicator by its id: CLEAR and GREEN ones, and those of alerts it may read. */
async function maySeeIndicator(trx: Kysely<Database>, viewer: Viewer, indicatorId: number, tlp: Tlp): Promise<boolean> {
  return (await visibleIndicatorIds(trx, viewer, [{ id: indicatorId, tlp }])).has(indicatorId);
}

/**
 * Of these indicators, the ones the viewer may know: by their own TLP alone (CLEAR, GREEN), or through an alert it
 * may read that carries them (at the stricter of the two levels, as on the alert page).
 */
async function visibleIndicatorIds(db: Kysely<Database>, viewer: Viewer, indicators: ReadonlyArray<{ id: number; tlp: Tlp }>): Promise<Set<number>> {
  const visible = new Set<number>();
  const tlpOf = new Map<number, Tlp>();
  for (const i of indicators) {
    if (canSee(viewer, { tlp: i.tlp, organisationIds: [], namedUserIds: [] })) visible.add(i.id);
    else tlpOf.set(i.id, i.tlp);
  }
  const rest = [...tlpOf.keys()];
  for (let k = 0; k < rest.length; k += 500) {
    const rows = await db
      .selectFrom('alert_indicators')
      .innerJoin('alerts', 'alerts.id', 'alert_indicators.alert_id')
      .selectAll('alerts')
      .select('alert_indicators.indicator_id as indicator_id')
      .where('alert_indicators.indicator_id', 'in', rest.slice(k, k + 500))
      .where('alerts.state', '!=', 'draft')
      .execute();
    for (const a of rows) {
      const id = Number(a.indicator_id);
      if (canSee(viewer, { ...rowAudience(a), tlp: stricterTlp(a.tlp, tlpOf.get(id)!) })) visible.add(id);
    }
  }
  return visible;
}

/** The organisation a caller reports for: a member's own; nobody else reports. */
function reporterOf(viewer: Viewer): number {
  if (viewer.kind !== 'member') throw new BakenError('SIGHTING_NOT_MEMBER');
  return viewer.organisationId;
}

/**
 * Reports one sighting for the caller's member organisation, and re-broadcasts it when its indicator is in a
 * published alert.
 * @throws {BakenError} VALIDATION for a bad item; SIGHTING_NOT_MEMBER when the caller is not a member.
 * @example await reportSighting(ctx, by, viewer, { value: 'hxxp://evil[.]example/gate', count: 3 }, { shareName: false });
 */
export async function reportSighting(ctx: Context, by: Caller, viewer: Viewer, item: SightingInput, options: ReportOptions = {}): Promise<Sighting> {
  const r = await reportSightings(ctx, by, viewer, [item], options);
  if (r.rejected.length > 0) {
    const reason = r.rejected[0]!.reason;
    const field = reason.split(':')[0]!;
    if (field === 'alert_id') throw new BakenError('ALERT_NOT_FOUND', { detail: reason.slice(field.length + 2) });
    throw new BakenError('VALIDATION', { detail: reason, problems: [{ field, message: reason.slice(field.length + 2) }] });
  }
  return r.sightings[0]!;
}

/**
 * Reports many sightings at once. Every item is checked; the valid ones land together in one transaction (with
 * their re-broadcasts), the others come back with their index and reason.
 */
export async function reportSightings(ctx: Context, by: Caller, viewer: Viewer, items: readonly SightingInput[], options: ReportOptions = {}): Promise<{ sightings: Sighting[]; rejected: RejectedSighting[] }> {
  const organisationId = reporterOf(viewer);
  const now = ctx.clock.now().toISOString();
  const shareName = options.shareName === true;
  const events: SightingHubEvent[] = [];
  const result = await transact(ctx.db.kysely, async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id', 'name', 'sector', 'kind']).where('id', '=', organisationId).executeTakeFirst();
    if (!org || org.kind !== 'member') throw new BakenError('SIGHTING_NOT_MEMBER');
    const rejected: RejectedSighting[] = [];
    const ids: number[] = [];
    for (let index = 0; index < items.length; index++) {
      const resolved = await resolveItem(trx, viewer, items[index]!, now);
      if (typeof resolved === 'string') {
        rejected.push({ index, reason: resolved });
        continue;
      }
      const t = resolved.target;
      let observationId: number | null = null;
      if (t.kind === 'observation') {
        await trx
          .insertInto('sighting_observations')
          .values({ type: t.type, value: t.value, state: 'open', indicator_id: null, first_reported_at: now, last_reported_at: now, resolved_by: null, resolved_at: null, reason: null })
          .onConflict((oc) => oc.column('value').doUpdateSet({ last_reported_at: now }))
          .execute();
        observationId = Number((await trx.selectFrom('sighting_observations').select('id').where('value', '=', t.value).executeTakeFirstOrThrow()).id);
      }
      const row = await trx
        .insertInto('sightings')
        .values({
          organisation_id: organisationId,
          indicator_id: t.kind === 'indicator' ? t.id : null,
          observation_id: observationId,
          alert_id: resolved.alertId,
          count: resolved.count,
          first_seen: resolved.firstSeen,
          last_seen: resolved.lastSeen,
          note: resolved.note,
          share_name: shareName ? 1 : 0,
          reported_by: actorOf(by),
          reported_by_user: by.actor.kind === 'user' ? by.actor.userId : null,
          reported_by_key: by.actor.kind === 'api_key' ? by.actor.apiKeyId : null,
          reported_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const sightingId = Number(row.id);
      ids.push(sightingId);
      if (t.kind === 'indicator') {
        await appendIndicatorEvents(trx, [{ indicatorId: t.id, kind: 'sighting', at: now, actor: actorOf(by), ref: { type: 'sighting', id: sightingId }, details: { organisation: org.name, organisationId, sector: org.sector, count: resolved.count, shareName } }]);
        await rebroadcast(ctx, trx, {
          sightingId,
          indicator: { id: t.id, type: t.type, value: t.value, tlp: t.tlp },
          reporter: { organisationId, name: org.name, sector: org.sector, shareName },
          count: resolved.count,
          firstSeen: resolved.firstSeen,
          lastSeen: resolved.lastSeen,
          now,
          events,
        });
      }
    }
    if (ids.length > 0) {
      await audit(trx, ctx.clock, by, { action: 'sighting.report', target: { type: 'organisation', id: organisationId }, details: { sightings: ids.length, first: ids[0], shareName } });
    }
    return { ids, rejected };
  });
  await publishHubEvents(ctx, events);
  const sightings = await sightingsAsSeenBy(ctx.db.kysely, viewer, await loadSightings(ctx.db.kysely, result.ids));
  return { sightings, rejected: result.rejected };
}

interface RebroadcastInput {
  sightingId: number;
  indicator: { id: number; type: string; value: string; tlp: Tlp };
  reporter: { organisationId: number; name: string; sector: string | null; shareName: boolean };
  count: number;
  firstSeen: string;
  lastSeen: string;
  now: string;
  events: SightingHubEvent[];
}

/**
 * Tells the rest of the audience of every published alert with this indicator, in the caller's transaction: a hub
 * event for the stream (collected, emitted after commit) and a row for the flusher that tells each member by webhook,
 * email or digest within a second (sighting-rebroadcasts.ts). A fixed amount of work, whatever the audience's size.
 */
async function rebroadcast(ctx: Context, trx: Kysely<Database>, s: RebroadcastInput): Promise<void> {
  const alerts = await trx
    .selectFrom('alert_indicators')
    .innerJoin('alerts', 'alerts.id', 'alert_indicators.alert_id')
    .selectAll('alerts')
    .where('alert_indicators.indicator_id', '=', s.indicator.id)
    .where('alerts.state', '=', 'published')
    .orderBy('alerts.id')
    .execute();
  if (alerts.length === 0) return;
  const totals = await trx
    .selectFrom('sightings')
    .select((eb) => [eb.fn.count<string | number>('id').as('n'), eb.fn.count<string | number>('organisation_id').distinct().as('orgs')])
    .where('indicator_id', '=', s.indicator.id)
    .executeTakeFirstOrThrow();
  const organisations = Number(totals.orgs);
  const sightings = Number(totals.n);
  for (const a of alerts) {
    const alertId = Number(a.id);
    const base = rowAudience(a);
    // Someone who may read the alert but not this indicator of it learns nothing about it.
    const audience: Audience = { ...base, tlp: stricterTlp(a.tlp, s.indicator.tlp) };
    const url = alertUrl(ctx.config.publicUrl, alertId);
    // As the rest of the audience reads it: the reporter named only if it chose so.
    const n: SightingNotice = {
      sightingId: s.sightingId,
      alert: { id: alertId, title: a.title, tlp: audience.tlp, url },
      indicator: { id: s.indicator.id, type: s.indicator.type, value: s.indicator.value },
      sector: s.reporter.sector,
      organisations,
      sightings,
      count: s.count,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      reportedAt: s.now,
      reporter: s.reporter.shareName ? s.reporter.name : null,
    };
    // The rest of the audience is told by webhook, email and digest within a second, by the flusher, which does the
    // work per member once for all the sightings of that second (sighting-rebroadcasts.ts).
    await queueSightingRebroadcast(trx, { notice: n, reporterOrganisationId: s.reporter.organisationId, tlp: audience.tlp });
    s.events.push({
      type: 'sighting.rebroadcast',
      sightingId: s.sightingId,
      alertId,
      alertTitle: a.title,
      indicator: { id: s.indicator.id, type: s.indicator.type, value: s.indicator.value },
      sector: s.reporter.sector,
      organisations,
      sightings,
      reporter: { organisationId: s.reporter.organisationId, name: s.reporter.name, shareName: s.reporter.shareName },
      audience,
      at: s.now,
    });
  }
}

/**
 * Sends the summary emails that are due: for every (alert, member) with sightings not emailed yet whose interval
 * is over, one email with how many arrived since the last one. Run every minute by `baken serve` and
 * `baken worker`; safe to run anywhere and often (each summary moves the interval on in its own transaction).
 * @returns how many (alert, member) summaries were queued.
 */
export async function flushSightingEmails(ctx: Context): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const minutes = ctx.config.sightingEmailIntervalMinutes;
  const cutoff = new Date(Date.parse(now) - minutes * 60_000).toISOString();
  const due = await ctx.db.kysely
    .selectFrom('sighting_email_state')
    .select(['alert_id', 'organisation_id', 'last_email_at', 'last_email_sighting_id'])
    .where('pending_since', 'is not', null)
    .where('last_email_at', '<=', cutoff)
    .execute();
  const domain = new URL(ctx.config.publicUrl).hostname;
  let sent = 0;
  for (const d of due) {
    const alertId = Number(d.alert_id);
    const orgId = Number(d.organisation_id);
    const since = d.last_email_at!;
    const after = d.last_email_sighting_id === null ? 0 : Number(d.last_email_sighting_id);
    const done = await transact(ctx.db.kysely, async (trx) => {
      const a = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
      const indicatorIds = (await trx.selectFrom('alert_indicators').select('indicator_id').where('alert_id', '=', alertId).execute()).map((r) => Number(r.indicator_id));
      // What this member has not been told of: other organisations' sightings of the alert's indicators after the
      // last one its email named, up to the newest now (the next summary starts there).
      const news = indicatorIds.length === 0 ? null : await trx
        .selectFrom('sightings')
        .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.max('id').as('last')])
        .where('indicator_id', 'in', indicatorIds)
        .where('organisation_id', '!=', orgId)
        .where('id', '>', after)
        .executeTakeFirst();
      const last = news?.last === null || news?.last === undefined ? after : Number(news.last);
      const claimed = await trx
        .updateTable('sighting_email_state')
        .set({ last_email_at: now, pending_since: null, pending_count: 0, last_email_sighting_id: last })
        .where('alert_id', '=', alertId)
        .where('organisation_id', '=', orgId)
        .where('last_email_at', '=', since)
        .where('pending_since', 'is not', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return false;
      if (!a || a.state !== 'published' || indicatorIds.length === 0) return false;
      const n = Number(news?.n ?? 0);
      if (n === 0) return false;
      const orgs = await trx
        .selectFrom('sightings')
        .select((eb) => eb.fn.count<string | number>('organisation_id').distinct().as('n'))
        .where('indicator_id', 'in', indicatorIds)
        .executeTakeFirstOrThrow();
      const m = (await memberRecipients(trx, [orgId]))[0];
      if (!m) return false;
      const alert = { id: alertId, title: a.title, tlp: a.tlp, url: alertUrl(ctx.config.publicUrl, alertId) };
      for (const c of m.contacts) {
        const { subject, text } = renderSightingSummaryEmail({ alert, language: c.language, organisationName: m.name, since, sightings: n, organisations: Number(orgs.n), intervalMinutes: minutes });
        await enqueueEmail(trx, ctx.clock, {
          idempotencyKey: `sighting-summary:alert:${alertId}:org:${orgId}:since:${since}:email:${c.email}`,
          topic: 'hub.sighting',
          refType: 'sighting',
          refId: `${alertId}:${orgId}`,
          messageIdDomain: domain,
          to: [c.email],
          subject,
          text,
          headers: { 'X-Baken-Alert': String(alertId), 'X-Baken-TLP': a.tlp },
        });
      }
      return m.contacts.length > 0;
    });
    if (done) sent++;
  }
  return sent;
}

export async function loadSightings(db: Kysely<Database>, ids: readonly number[]): Promise<LoadedSighting[]> {
  if (ids.length === 0) return [];
  const out: LoadedSighting[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await sightingQuery(db).where('sightings.id', 'in', ids.slice(i, i + 500)).orderBy('sightings.id').execute()).map(toSighting));
  return out;
}

function sightingQuery(db: Kysely<Database>) {
  return db
    .selectFrom('sightings')
    .innerJoin('organisations', 'organisations.id', 'sightings.organisation_id')
    .leftJoin('indicators', 'indicators.id', 'sightings.indicator_id')
    .leftJoin('sighting_observations', 'sighting_observations.id', 'sightings.observation_id')
    .selectAll('sightings')
    .select([
      'organisations.name as organisation_name',
      'indicators.type as indicator_type',
      'indicators.value as indicator_value',
      'indicators.tlp as indicator_tlp',
      'sighting_observations.type as observation_type',
      'sighting_observations.value as observation_value',
      'sighting_observations.state as observation_state',
    ]);
}

type SightingRow = Awaited<ReturnType<ReturnType<typeof sightingQuery>['executeTakeFirstOrThrow']>>;
/** A sighting with its indicator's TLP, before {@link sightingsAsSeenBy} decides what the viewer may learn. */
/** A sighting as stored, with its indicator's TLP: give it to {@link sightingsAsSeenBy} before a member sees it. */
export type LoadedSighting = Sighting & { indicatorTlp: Tlp | null };

function toSighting(r: SightingRow): LoadedSighting {
  return {
    indicatorTlp: r.indicator_tlp,
    id: Number(r.id),
    organisationId: Number(r.organisation_id),
    organisationName: r.organisation_name,
    indicator: r.indicator_id !== null && r.indicator_type !== null && r.indicator_value !== null ? { id: Number(r.indicator_id), type: r.indicator_type, value: r.indicator_value } : null,
    observation: r.observation_id !== null && r.observation_value !== null ? { id: Number(r.observation_id), type: r.observation_type, value: r.observation_value, state: r.observation_state ?? 'open' } : null,
    alertId: r.alert_id === null ? null : Number(r.alert_id),
    count: r.count,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    note: r.note,
    shareName: r.share_name === 1,
    reportedBy: r.reported_by,
    reportedAt: r.reported_at,
  };
}

export interface SightingQuery {
  indicatorId?: number;
  alertId?: number;
  /** Only sightings of values the hub does not know (observations). */
  observations?: boolean;
  limit?: number;
  /** Sightings with an id below this, for paging (newest first). */
  before?: number;
}

/**
 * Sightings, newest first: coordinator staff see all of them, named; a member organisation sees its own.
 * @throws {BakenError} FORBIDDEN for anyone else.
 */
export async function listSightings(ctx: Context, viewer: Viewer, query: SightingQuery = {}): Promise<Sighting[]> {
  if (viewer.kind === 'anonymous') throw new BakenError('FORBIDDEN');
  let q = sightingQuery(ctx.db.kysely);
  if (viewer.kind === 'member') q = q.where('sightings.organisation_id', '=', viewer.organisationId);
  if (query.indicatorId !== undefined) q = q.where('sightings.indicator_id', '=', query.indicatorId);
  if (query.alertId !== undefined) q = q.where('sightings.alert_id', '=', query.alertId);
  if (query.observations) q = q.where('sightings.observation_id', 'is not', null);
  if (query.before !== undefined) q = q.where('sightings.id', '<', query.before);
  const limit = Math.min(Math.max(query.limit ?? 200, 1), 1000);
  return sightingsAsSeenBy(ctx.db.kysely, viewer, (await q.orderBy('sightings.id', 'desc').limit(limit).execute()).map(toSighting));
}

/**
 * Sightings as the viewer may see them. The rule (docs/hub-sightings.md): what a member learns about a value it
 * reported depends only on the indicators it may see. A sighting of an indicator it may see names the indicator; any
 * other sighting (of a value the hub does not know, or of an indicator the member may not see, say a TLP:RED one)
 * looks exactly like an unknown value: `indicator` null, `observation` with the normalised type and value, id null
 * and state `open`. The observation's id and triage state stay with the coordinator too: an old id would tell that
 * another member reported the value first, `promoted` that the hub now knows it. Staff see everything.
 */
export async function sightingsAsSeenBy(db: Kysely<Database>, viewer: Viewer, sightings: readonly LoadedSighting[]): Promise<Sighting[]> {
  const strip = ({ indicatorTlp: _tlp, ...s }: LoadedSighting): Sighting => s;
  if (viewer.kind !== 'member') return sightings.map(strip);
  const indicators = new Map<number, Tlp>();
  for (const s of sightings) if (s.indicator && s.indicatorTlp) indicators.set(s.indicator.id, s.indicatorTlp);
  const visible = await visibleIndicatorIds(db, viewer, [...indicators].map(([id, tlp]) => ({ id, tlp })));
  return sightings.map((x) => {
    const s = strip(x);
    if (s.indicator && visible.has(s.indicator.id)) return { ...s, observation: null };
    const value = s.indicator ?? s.observation;
    return { ...s, indicator: null, observation: value ? { id: null, type: value.type, value: value.value, state: 'open' } : null };
  });
}

/** What a problem list says about rejected bulk items, for a 400 when none of them was valid. */
export function rejectedProblems(rejected: readonly RejectedSighting[]): FieldProblem[] {
  return rejected.map((r) => ({ field: `items[${r.index}]`, message: r.reason }));
}
