/**
 * Correlation, triage of observations and the overview of sightings, for coordinator staff: `indicators:read`
 * (admins and analysts) to look, `indicators:manage` to promote or dismiss. Members have no access, by design
 * (see src/hub/correlation/correlate-value.ts): the answers name organisations and hotline cases and would tell
 * them about indicators above their TLP rights.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { correlateValue } from '../../hub/correlation/correlate-value.js';
import { getIndicator } from '../../hub/indicators/indicators.js';
import { dismissObservation, getObservation, listObservations, OBSERVATION_STATES, periodOf, promoteObservation, sightingOverview, sightingsPerDay } from '../../hub/sightings/index.js';
import { viewerOf } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentIndicator } from '../presenters.js';
import { presentCorrelation, presentDayCount, presentObservation, presentOverview } from '../correlation-presenters.js';
import { IndicatorSchema, TlpSchema } from './indicator-schemas.js';
import { errors, IdParams, Nullable, Timestamp } from './schemas.js';
import { SightingSchema } from './sightings.js';

const ObservationSchema = Type.Object({
  id: Type.Integer(),
  type: Nullable(Type.String()),
  value: Type.String(),
  state: Type.Union(OBSERVATION_STATES.map((s) => Type.Literal(s))),
  indicator_id: Nullable(Type.Integer()),
  sightings: Type.Integer(),
  organisations: Type.Integer(),
  count: Type.Integer(),
  first_reported_at: Timestamp,
  last_reported_at: Timestamp,
  resolved_by: Nullable(Type.String()),
  resolved_at: Nullable(Timestamp),
  reason: Nullable(Type.String()),
});
const AlertLinkSchema = Type.Object({ id: Type.Integer(), title: Type.String(), state: Type.String(), severity: Type.String(), tlp: TlpSchema, published_at: Nullable(Timestamp), indicator_ids: Type.Array(Type.Integer()) });
const AnalysisLinkSchema = Type.Object({ id: Type.Integer(), version: Type.Integer(), title: Type.String(), status: Type.String(), tlp: TlpSchema, indicator_ids: Type.Array(Type.Integer()) });
const CaseLinkSchema = Type.Object({ case_id: Type.String(), title: Type.String(), state: Type.String(), created_at: Timestamp, closed_at: Nullable(Timestamp), hosts: Type.Integer(), ports: Type.Array(Type.Integer()), first_seen_at: Nullable(Type.String()) });
const CorrelationSchema = Type.Object({
  input: Type.String(),
  type: Type.String(),
  value: Type.String({ description: 'The value as the hub spells it' }),
  indicators: Type.Array(Type.Intersect([IndicatorSchema, Type.Object({ match: Type.Union([Type.Literal('exact'), Type.Literal('network'), Type.Literal('host')]), sightings: Type.Integer(), organisations: Type.Integer() })])),
  alerts: Type.Array(AlertLinkSchema),
  analyses: Type.Array(AnalysisLinkSchema),
  sightings: Type.Array(SightingSchema),
  observations: Type.Array(ObservationSchema),
  cases: Type.Array(CaseLinkSchema),
  cases_truncated: Type.Boolean(),
  enrichment: Nullable(Type.Object({ network: Nullable(Type.String()), asn: Nullable(Type.Integer()), as_name: Nullable(Type.String()), country: Nullable(Type.String()), operator_id: Nullable(Type.Integer()), operator_name: Nullable(Type.String()) })),
});
const Count = Type.Integer({ minimum: 0 });
const PeriodQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 40, description: 'Start (inclusive), ISO 8601 date or time' })),
  until: Type.Optional(Type.String({ maxLength: 40, description: 'End (exclusive), ISO 8601; default now' })),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 400, description: 'The last N days (when since is not given); default 30' })),
});
const OverviewSchema = Type.Object({
  since: Timestamp,
  until: Timestamp,
  totals: Type.Object({ sightings: Count, count: Count, organisations: Count, indicators: Count, observations: Count }),
  by_sector: Type.Array(Type.Object({ sector: Nullable(Type.String()), sightings: Count, count: Count, organisations: Count })),
  top_indicators: Type.Array(Type.Object({ indicator_id: Type.Integer(), type: Type.String(), value: Type.String(), tlp: TlpSchema, sightings: Count, count: Count, organisations: Count, sectors: Count, last_reported_at: Timestamp })),
  newest: Type.Array(SightingSchema),
  open_observations: Count,
});
const DaySchema = Type.Object({ day: Type.String({ description: 'YYYY-MM-DD, UTC' }), sightings: Count, count: Count, organisations: Count });

const periodFrom = (now: Date, q: { since?: string; until?: string; days?: number }) => periodOf(now, { since: q.since ?? null, until: q.until ?? null, days: q.days ?? null });

export async function correlationRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const read = requirePermission('indicators:read');
  const manage = requirePermission('indicators:manage');

  app.get(
    '/correlate',
    {
      preValidation: read,
      schema: {
        tags: ['correlation'],
        summary: 'Everything the hub knows about a value in any spelling (defanged too): indicators (an address also matches the networks that contain it), alerts, analyses, sightings, observations, hotline cases with that address, registry facts',
        querystring: Type.Object({ value: Type.String({ minLength: 1, maxLength: 4096 }), type: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 200: CorrelationSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => presentCorrelation(await correlateValue(ctx, viewerOf(request.caller.actor), request.query.value, { type: request.query.type ?? null })),
  );

  app.get(
    '/indicators/:id/sightings-per-day',
    { preValidation: read, schema: { tags: ['indicators'], summary: 'An indicator’s sightings per day (UTC, by when reported), every day of the period', params: IdParams, querystring: PeriodQuery, response: { 200: Type.Array(DaySchema), ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const i = await getIndicator(ctx, request.params.id);
      return (await sightingsPerDay(ctx, i.id, periodFrom(ctx.clock.now(), request.query))).map(presentDayCount);
    },
  );

  app.get(
    '/sightings/overview',
    { preValidation: read, schema: { tags: ['sightings'], summary: 'Sightings across sectors over a period: by sector, most-sighted indicators, newest sightings (named), open observations', querystring: PeriodQuery, response: { 200: OverviewSchema, ...errors(400, 401, 403) } } },
    async (request) => presentOverview(await sightingOverview(ctx, viewerOf(request.caller.actor), periodFrom(ctx.clock.now(), request.query))),
  );

  app.get(
    '/observations',
    {
      preValidation: read,
      schema: {
        tags: ['sightings'],
        summary: 'Observations (sightings of values the hub did not know) in a state, default open, most recently reported first',
        querystring: Type.Object({ state: Type.Optional(Type.Union(OBSERVATION_STATES.map((s) => Type.Literal(s)))), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Array(ObservationSchema), ...errors(400, 401, 403) },
      },
    },
    async (request) => (await listObservations(ctx, { ...(request.query.state ? { state: request.query.state } : {}), ...(request.query.limit ? { limit: request.query.limit } : {}) })).map(presentObservation),
  );

  app.get(
    '/observations/:id',
    { preValidation: read, schema: { tags: ['sightings'], summary: 'One observation', params: IdParams, response: { 200: ObservationSchema, ...errors(401, 403, 404) } } },
    async (request) => presentObservation(await getObservation(ctx, request.params.id)),
  );

  app.post(
    '/observations/:id/promote',
    {
      preValidation: manage,
      schema: {
        tags: ['sightings'],
        summary: 'Promote an observation: the indicator is created (or the existing one linked) with this TLP and confidence, and the observation’s sightings move onto it; again changes nothing (changed: false)',
        params: IdParams,
        body: Type.Object(
          {
            tlp: Type.String({ maxLength: 20 }),
            confidence: Type.Integer({ minimum: 0, maximum: 100 }),
            type: Type.Optional(Type.String({ maxLength: 20, description: 'The indicator type, when the value alone is ambiguous' })),
            labels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ observation: ObservationSchema, indicator: IndicatorSchema, moved: Count, changed: Type.Boolean() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await promoteObservation(ctx, request.caller, request.params.id, { tlp: b.tlp, confidence: b.confidence, type: b.type ?? null, ...(b.labels ? { labels: b.labels } : {}) });
      return { observation: presentObservation(r.observation), indicator: presentIndicator(r.indicator), moved: r.moved, changed: r.changed };
    },
  );

  app.post(
    '/observations/:id/dismiss',
    {
      preValidation: manage,
      schema: {
        tags: ['sightings'],
        summary: 'Dismiss an observation with a reason; again changes nothing (changed: false); 409 when it was promoted',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ observation: ObservationSchema, changed: Type.Boolean() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const r = await dismissObservation(ctx, request.caller, request.params.id, request.body.reason);
      return { observation: presentObservation(r.observation), changed: r.changed };
    },
  );
}
