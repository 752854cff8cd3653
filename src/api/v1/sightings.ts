/**
 * /api/v1/sightings: a member organisation reports that it observed an indicator (one, or many in bulk), with a
 * session or its API key, always for itself; staff with sightings:read list all sightings, named, members their own.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { listSightings, rejectedProblems, reportSighting, reportSightings } from '../../hub/sightings/index.js';
import { viewerOf } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentRejectedSighting, presentSighting } from '../sighting-presenters.js';
import { errors, Nullable, Timestamp } from './schemas.js';

const itemFields = {
  value: Type.Optional(Type.String({ maxLength: 4096, description: 'The observed value in any spelling (defanged too)' })),
  type: Type.Optional(Type.String({ maxLength: 20, description: 'The indicator type when the value alone is ambiguous' })),
  count: Type.Optional(Type.Integer({ minimum: 1, description: 'How many times; default 1' })),
  first_seen: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; default now' })),
  last_seen: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601; default now' })),
  note: Type.Optional(Type.String({ maxLength: 2000, description: 'For the coordinator; never re-broadcast' })),
};
const SightingCreate = Type.Object(
  {
    ...itemFields,
    indicator_id: Type.Optional(Type.Integer({ minimum: 1 })),
    alert_id: Type.Optional(Type.Integer({ minimum: 1, description: 'The alert it was seen in' })),
    share_name: Type.Optional(Type.Boolean({ description: 'Show the organisation’s name to other members; default false' })),
  },
  { additionalProperties: false },
);
// Items are loose on purpose: a bad item is reported by its index, it does not fail the request.
const BulkItem = Type.Object({ ...itemFields, indicator_id: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
const SightingBulk = Type.Object(
  {
    items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 10_000 }),
    alert_id: Type.Optional(Type.Integer({ minimum: 1 })),
    share_name: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const SightingSchema = Type.Object({
  id: Type.Integer(),
  organisation: Type.Object({ id: Type.Integer(), name: Type.String() }),
  indicator: Nullable(Type.Object({ id: Type.Integer(), type: Type.String(), value: Type.String() })),
  observation: Nullable(Type.Object({ id: Nullable(Type.Integer()), type: Nullable(Type.String()), value: Type.String(), state: Type.String() })),
  alert_id: Nullable(Type.Integer()),
  count: Type.Integer(),
  first_seen: Timestamp,
  last_seen: Timestamp,
  note: Nullable(Type.String()),
  share_name: Type.Boolean(),
  reported_by: Nullable(Type.String()),
  reported_at: Timestamp,
});
const Rejected = Type.Object({ index: Type.Integer(), reason: Type.String() });

type Item = { value?: string; type?: string; indicator_id?: number; count?: number; first_seen?: string; last_seen?: string; note?: string };

/** A bulk item checked by hand, so one malformed item becomes a per-item reason rather than a 400 for all. */
function itemOf(raw: unknown): Item | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'an object with value or indicator_id';
  const o = raw as Record<string, unknown>;
  const allowed = Object.keys(BulkItem.properties);
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) return `unknown field ${extra[0]}`;
  for (const k of ['value', 'type', 'first_seen', 'last_seen', 'note'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') return `${k}: a string`;
  for (const k of ['indicator_id', 'count'] as const) if (o[k] !== undefined && !Number.isInteger(o[k])) return `${k}: a whole number`;
  return o as Item;
}

const toInput = (i: Item, alertId?: number) => ({
  value: i.value ?? null,
  type: i.type ?? null,
  indicatorId: i.indicator_id ?? null,
  count: i.count ?? null,
  firstSeen: i.first_seen ?? null,
  lastSeen: i.last_seen ?? null,
  note: i.note ?? null,
  alertId: alertId ?? null,
});

export async function sightingRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sightings'];

  app.post(
    '/sightings',
    {
      preValidation: requirePermission('sightings:report'),
      schema: {
        tags,
        summary: 'Report a sighting for the caller’s member organisation; an indicator of a published alert is re-broadcast to the rest of its audience at once, an unknown value is kept as an observation',
        body: SightingCreate,
        response: { 201: SightingSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const s = await reportSighting(ctx, request.caller, viewerOf(request.caller.actor), toInput(b, b.alert_id), { shareName: b.share_name === true });
      return reply.status(201).send(presentSighting(s));
    },
  );

  app.post(
    '/sightings/bulk',
    {
      preValidation: requirePermission('sightings:report'),
      schema: {
        tags,
        summary: 'Report many sightings: the valid items land together in one transaction, the others come back with their index and reason (400 when none is valid)',
        body: SightingBulk,
        response: { 200: Type.Object({ accepted: Type.Integer(), sightings: Type.Array(SightingSchema), rejected: Type.Array(Rejected) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const b = request.body;
      const early: Array<{ index: number; reason: string }> = [];
      const items: Array<{ index: number; item: Item }> = [];
      b.items.forEach((raw, index) => {
        const i = itemOf(raw);
        if (typeof i === 'string') early.push({ index, reason: i });
        else items.push({ index, item: i });
      });
      const r = await reportSightings(ctx, request.caller, viewerOf(request.caller.actor), items.map((x) => toInput(x.item, b.alert_id)), { shareName: b.share_name === true });
      const rejected = [...early, ...r.rejected.map((x) => ({ index: items[x.index]!.index, reason: x.reason }))].sort((x, y) => x.index - y.index);
      if (r.sightings.length === 0) throw new BakenError('VALIDATION', { detail: 'no item was valid; nothing was reported', problems: rejectedProblems(rejected) });
      return { accepted: r.sightings.length, sightings: r.sightings.map(presentSighting), rejected: rejected.map(presentRejectedSighting) };
    },
  );

  app.get(
    '/sightings',
    {
      preValidation: requirePermission('sightings:read'),
      schema: {
        tags,
        summary: 'Sightings, newest first: staff see all of them with the organisations’ names, a member its own',
        querystring: Type.Object({
          indicator_id: Type.Optional(Type.Integer({ minimum: 1 })),
          alert_id: Type.Optional(Type.Integer({ minimum: 1 })),
          observations: Type.Optional(Type.Boolean({ description: 'Only values the hub does not know' })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Array(SightingSchema), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const list = await listSightings(ctx, viewerOf(request.caller.actor), {
        ...(q.indicator_id ? { indicatorId: q.indicator_id } : {}),
        ...(q.alert_id ? { alertId: q.alert_id } : {}),
        ...(q.observations ? { observations: true } : {}),
        ...(q.before ? { before: q.before } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return list.map(presentSighting);
    },
  );
}
