/**
 * Triage of observations: values members reported that the hub did not know. An analyst lists the open ones
 * (how many organisations and sightings, first and last reported) and either promotes one (the indicator is
 * created, or the existing one with that value linked, with the TLP and confidence the analyst chose, and the
 * observation's sightings move onto it, so they count and appear in its history) or dismisses it with a reason.
 * Both are audited and idempotent: doing the same again changes nothing and says so (`changed: false`).
 *
 * Promotion does not re-broadcast the moved sightings: they are past news, and no alert carried the value when
 * they were reported. New sightings of a dismissed value still attach to it (and count in the list), without
 * reopening it: the analyst's reason stands until someone promotes it after all.
 */
import type { Kysely } from 'kysely';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { appendIndicatorEvents, getIndicator, upsertIndicator, type Indicator } from '../indicators/indicators.js';
import { IndicatorError, normalizeIndicator } from '../indicators/normalize-indicator.js';
import { parseTlp, type Tlp } from '../tlp.js';
import type { Resolver } from '../../registry/resolver.js';

export const OBSERVATION_STATES = ['open', 'dismissed', 'promoted'] as const;
export type ObservationState = (typeof OBSERVATION_STATES)[number];

export interface Observation {
  id: number;
  type: string | null;
  value: string;
  state: ObservationState;
  /** The indicator it was promoted to. */
  indicatorId: number | null;
  /** Sightings still attached to it (a promoted one has none: they moved to the indicator). */
  sightings: number;
  organisations: number;
  /** The sum of the sightings' counts. */
  count: number;
  firstReportedAt: string;
  lastReportedAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  reason: string | null;
}

export interface PromoteInput {
  tlp: Tlp | string;
  confidence: number;
  /** The indicator type, when the value alone is ambiguous or the observation has none. */
  type?: string | null;
  labels?: readonly string[];
}

export interface PromoteResult {
  observation: Observation;
  indicator: Indicator;
  /** Sightings moved onto the indicator by this call (0 when it was promoted already). */
  moved: number;
  /** False when the observation was promoted to this indicator already: nothing changed. */
  changed: boolean;
}

const MAX_REASON = 2000;
const actorOf = (by: Caller) => (by.actor.kind === 'anonymous' ? null : by.actor.label);

function observationQuery(db: Kysely<Database>) {
  return db
    .selectFrom('sighting_observations as o')
    .leftJoin('sightings as s', 's.observation_id', 'o.id')
    .select(['o.id', 'o.type', 'o.value', 'o.state', 'o.indicator_id', 'o.first_reported_at', 'o.last_reported_at', 'o.resolved_by', 'o.resolved_at', 'o.reason'])
    .select((eb) => [
      eb.fn.count<string | number>('s.id').as('sightings'),
      eb.fn.count<string | number>('s.organisation_id').distinct().as('organisations'),
      eb.fn.coalesce(eb.fn.sum<string | number>('s.count'), eb.val(0)).as('total'),
    ])
    .groupBy(['o.id', 'o.type', 'o.value', 'o.state', 'o.indicator_id', 'o.first_reported_at', 'o.last_reported_at', 'o.resolved_by', 'o.resolved_at', 'o.reason']);
}

type Row = Awaited<ReturnType<ReturnType<typeof observationQuery>['executeTakeFirstOrThrow']>>;

function toObservation(r: Row): Observation {
  return {
    id: Number(r.id),
    type: r.type,
    value: r.value,
    state: r.state,
    indicatorId: r.indicator_id === null ? null : Number(r.indicator_id),
    sightings: Number(r.sightings),
    organisations: Number(r.organisations),
    count: Number(r.total),
    firstReportedAt: r.first_reported_at,
    lastReportedAt: r.last_reported_at,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    reason: r.reason,
  };
}

/** Observations in a state (default open), most recently reported first. */
export async function listObservations(ctx: Context, query: { state?: ObservationState | string; limit?: number; before?: string } = {}): Promise<Observation[]> {
  const state = query.state ?? 'open';
  if (!(OBSERVATION_STATES as readonly string[]).includes(state)) throw invalid('state', `one of ${OBSERVATION_STATES.join(', ')}`);
  const limit = Math.min(Math.max(query.limit ?? 200, 1), 1000);
  let q = observationQuery(ctx.db.kysely).where('o.state', '=', state as ObservationState);
  if (query.before) q = q.where('o.last_reported_at', '<', query.before);
  return (await q.orderBy('o.last_reported_at', 'desc').orderBy('o.id', 'desc').limit(limit).execute()).map(toObservation);
}

/** How many observations wait for triage. */
export async function countOpenObservations(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('sighting_observations').select((eb) => eb.fn.countAll<string | number>().as('n')).where('state', '=', 'open').executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function getObservation(ctx: Context, id: number): Promise<Observation> {
  return loadObservation(ctx.db.kysely, id);
}

async function loadObservation(db: Kysely<Database>, id: number): Promise<Observation> {
  const r = await observationQuery(db).where('o.id', '=', id).executeTakeFirst();
  if (!r) throw new BakenError('OBSERVATION_NOT_FOUND', { detail: `There is no observation ${id}.` });
  return toObservation(r);
}

/** Observations of exactly this (normalised) value, for correlation. */
export async function observationsOfValue(ctx: Context, value: string): Promise<Observation[]> {
  return (await observationQuery(ctx.db.kysely).where('o.value', '=', value).execute()).map(toObservation);
}

function checkPromote(input: PromoteInput): { tlp: Tlp; confidence: number } {
  const tlp = parseTlp(String(input.tlp ?? ''));
  if (!tlp) throw invalid('tlp', 'one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED');
  if (!Number.isInteger(input.confidence) || input.confidence < 0 || input.confidence > 100) throw invalid('confidence', 'a whole number from 0 to 100');
  return { tlp, confidence: input.confidence };
}

/**
 * Promotes an observation to an indicator and moves its sightings onto it (with a 'sighting' event in the
 * indicator's history for each). Promoting one that is promoted already changes nothing.
 * @throws {BakenError} OBSERVATION_NOT_FOUND; VALIDATION for a bad TLP or confidence; INDICATOR_INVALID when the
 *   value is no indicator of the (given) type.
 * @example await promoteObservation(ctx, by, 12, { tlp: 'AMBER', confidence: 70 });
 */
export async function promoteObservation(ctx: Context, by: Caller, id: number, input: PromoteInput, options: { resolver?: Resolver } = {}): Promise<PromoteResult> {
  const { tlp, confidence } = checkPromote(input);
  const before = await loadObservation(ctx.db.kysely, id);
  if (before.state === 'promoted' && before.indicatorId !== null) {
    return { observation: before, indicator: await getIndicator(ctx, before.indicatorId), moved: 0, changed: false };
  }
  const type = input.type?.trim() || before.type;
  let normalized;
  try {
    normalized = normalizeIndicator(before.value, { type: type ?? null, lenient: true });
  } catch (err) {
    if (err instanceof IndicatorError) throw new BakenError('INDICATOR_INVALID', { detail: err.message, problems: [{ field: 'type', message: err.message }] });
    throw err;
  }
  // The indicator is written first (it enriches from the registry, outside any transaction); a second promotion
  // racing this one finds the observation promoted below and moves nothing twice.
  const { indicator } = await upsertIndicator(
    ctx,
    by,
    { value: normalized.value, type: normalized.type, tlp, confidence, source: 'observation', ...(input.labels ? { labels: input.labels } : {}), lenient: true },
    options.resolver ? { resolver: options.resolver } : {},
  );
  const now = ctx.clock.now().toISOString();
  const { claimed, moved } = await transact(ctx.db.kysely, async (trx) => {
    // Claim it first: the row lock makes a concurrent promotion wait, then find it promoted and move nothing.
    const won = await trx
      .updateTable('sighting_observations')
      .set({ state: 'promoted', indicator_id: indicator.id, resolved_by: actorOf(by), resolved_at: now, reason: null })
      .where('id', '=', id)
      .where('state', '!=', 'promoted')
      .executeTakeFirst();
    if (Number(won.numUpdatedRows) === 0) return { claimed: false, moved: 0 };
    const sightings = await trx
      .selectFrom('sightings')
      .innerJoin('organisations', 'organisations.id', 'sightings.organisation_id')
      .select(['sightings.id', 'sightings.organisation_id', 'sightings.count', 'sightings.share_name', 'sightings.reported_at', 'sightings.reported_by', 'organisations.name', 'organisations.sector'])
      .where('sightings.observation_id', '=', id)
      .orderBy('sightings.id')
      .execute();
    await trx.updateTable('sightings').set({ indicator_id: indicator.id, observation_id: null }).where('observation_id', '=', id).execute();
    await appendIndicatorEvents(
      trx,
      sightings.map((s) => ({
        indicatorId: indicator.id,
        kind: 'sighting' as const,
        // When it was reported, so the history and the series over time show it on its own day.
        at: s.reported_at,
        actor: s.reported_by,
        ref: { type: 'sighting', id: Number(s.id) },
        details: { organisation: s.name, organisationId: Number(s.organisation_id), sector: s.sector, count: s.count, shareName: s.share_name === 1, promotedFrom: id },
      })),
    );
    await audit(trx, ctx.clock, by, { action: 'observation.promote', target: { type: 'observation', id }, details: { value: before.value, indicatorId: indicator.id, tlp, confidence, moved: sightings.length } });
    return { claimed: true, moved: sightings.length };
  });
  const after = await loadObservation(ctx.db.kysely, id);
  return { observation: after, indicator: await getIndicator(ctx, after.indicatorId ?? indicator.id), moved, changed: claimed };
}

/**
 * Dismisses an observation with a reason (its sightings stay with it). Dismissing one that is dismissed already
 * changes nothing.
 * @throws {BakenError} OBSERVATION_NOT_FOUND; VALIDATION without a reason; OBSERVATION_STATE when it was promoted.
 */
export async function dismissObservation(ctx: Context, by: Caller, id: number, reason: string): Promise<{ observation: Observation; changed: boolean }> {
  const why = (reason ?? '').trim();
  if (why === '') throw invalid('reason', 'say why it is dismissed');
  if (why.length > MAX_REASON) throw invalid('reason', `at most ${MAX_REASON} characters`);
  const now = ctx.clock.now().toISOString();
  const changed = await transact(ctx.db.kysely, async (trx) => {
    const won = await trx
      .updateTable('sighting_observations')
      .set({ state: 'dismissed', resolved_by: actorOf(by), resolved_at: now, reason: why })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    const row = await trx.selectFrom('sighting_observations').select(['state', 'indicator_id', 'value']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new BakenError('OBSERVATION_NOT_FOUND', { detail: `There is no observation ${id}.` });
    if (Number(won.numUpdatedRows) === 0) {
      if (row.state === 'promoted') throw new BakenError('OBSERVATION_STATE', { detail: `Observation ${id} was promoted to indicator ${row.indicator_id}; its sightings are the indicator's now.` });
      return false;
    }
    await audit(trx, ctx.clock, by, { action: 'observation.dismiss', target: { type: 'observation', id }, details: { value: row.value, reason: why } });
    return true;
  });
  return { observation: await loadObservation(ctx.db.kysely, id), changed };
}
