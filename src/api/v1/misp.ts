import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { importMispEvents } from '../../interop/misp/import-misp-events.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { errors } from './schemas.js';

const Where = { event: Type.String(), attribute: Type.Union([Type.String(), Type.Null()]), path: Type.String() };
export const MispImportResultSchema = Type.Object({
  events: Type.Integer(),
  attributes: Type.Integer(),
  indicators: Type.Integer({ description: 'Distinct indicators written' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped_count: Type.Integer(),
  skipped: Type.Array(Type.Object({ ...Where, type: Type.String(), reason: Type.String() }), { description: 'Attributes left out on purpose (the first 1,000)' }),
  problems: Type.Array(Type.Object({ ...Where, field: Type.String(), message: Type.String() }), { description: 'With partial=true: attributes refused' }),
  sightings: Type.Object({ recorded: Type.Integer(), false_positives: Type.Integer(), expirations: Type.Integer(), already_imported: Type.Integer() }),
  flagged_count: Type.Integer(),
  flagged: Type.Array(Type.Object({ type: Type.String(), value: Type.String(), lists: Type.Array(Type.String()) }), { description: 'Imported indicators on a MISP warninglist (known false positives)' }),
  duration_ms: Type.Integer(),
});

/** MISP event JSON is large: as large as an indicator import may be. */
const MISP_BODY_LIMIT = 256 * 1024 * 1024;

/** `/api/v1/misp/events`: analysts post MISP event JSON (one event, a list, or a MISP REST answer). */
export async function mispRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/misp/events',
    {
      preValidation: requirePermission('indicators:manage'),
      bodyLimit: Math.max(ctx.config.bodyLimitBytes, MISP_BODY_LIMIT),
      schema: {
        tags: ['indicators'],
        summary: 'Import MISP event JSON: attributes with to_ids become indicators, tlp:* tags their TLP, sightings come along. Nothing is imported when any attribute is bad, unless partial=true',
        querystring: Type.Object({
          strict: Type.Optional(Type.Boolean({ description: 'Also refuse attributes meant for detection whose type the hub does not hold' })),
          partial: Type.Optional(Type.Boolean({ description: 'Import the good attributes and report the bad' })),
        }),
        body: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Array(Type.Unknown())]),
        response: { 200: MispImportResultSchema, ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const r = await importMispEvents(ctx, request.caller, request.body, { ...(request.query.strict ? { strict: true } : {}), ...(request.query.partial ? { partial: true } : {}), origin: 'api' });
      return {
        events: r.events,
        attributes: r.attributes,
        indicators: r.indicators,
        created: r.created,
        updated: r.updated,
        skipped_count: r.skippedCount,
        skipped: r.skipped,
        problems: r.problems,
        sightings: { recorded: r.sightings.recorded, false_positives: r.sightings.falsePositives, expirations: r.sightings.expirations, already_imported: r.sightings.alreadyImported },
        flagged_count: r.flaggedCount,
        flagged: r.flagged,
        duration_ms: r.durationMs,
      };
    },
  );
}
