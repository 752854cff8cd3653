/**
 * `/api/v1/stix`: STIX 2.1 in and out. POST a bundle (staff with indicators:manage import its indicators, a
 * member organisation its sightings); GET the indicators the caller may take in bulk as a bundle, page by page,
 * or one indicator by its STIX id. Any signed-in caller reaches the domain, which applies the roles per object
 * and the TLP policy per indicator.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { can } from '../../accounts/policies.js';
import { viewerOf } from '../../hub/tlp.js';
import { exportStixIndicator, exportStixIndicators } from '../../interop/stix/export-stix.js';
import { importStix, parseStixJson, stixObjectsOf, type StixImportResult } from '../../interop/stix/import-stix.js';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { requireSignedIn } from '../../platform/http/authenticate.js';
import { errors } from './schemas.js';

/** A bundle of 100,000 indicators is about 60 MB of JSON. */
export const STIX_BODY_LIMIT = 256 * 1024 * 1024;

const ImportQuery = Type.Object({
  strict: Type.Optional(Type.Boolean({ description: 'Refuse everything when any object is bad (default true)' })),
  lenient: Type.Optional(Type.Boolean({ description: 'Mask host bits of CIDRs instead of refusing them' })),
  source: Type.Optional(Type.String({ maxLength: 200, description: 'Source of indicators that do not name theirs' })),
  share_name: Type.Optional(Type.Boolean({ description: 'Show your organisation’s name on imported sightings to other members (default false)' })),
});
const Problem = Type.Object({ index: Type.Integer(), id: Type.Union([Type.String(), Type.Null()]), path: Type.String(), message: Type.String() });
const Skipped = Type.Object({ index: Type.Integer(), id: Type.Union([Type.String(), Type.Null()]), type: Type.String(), note: Type.String() });
const ImportResult = Type.Object({
  objects: Type.Integer(),
  indicators: Type.Object({ received: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), duplicates: Type.Integer() }),
  sightings: Type.Object({ received: Type.Integer(), reported: Type.Integer() }),
  skipped_count: Type.Integer(),
  skipped: Type.Array(Skipped),
  rejected_count: Type.Integer(),
  rejected: Type.Array(Problem),
  duration_ms: Type.Integer(),
});
const Bundle = Type.Object({ type: Type.Literal('bundle'), id: Type.String(), objects: Type.Array(Type.Unknown()) });

function presentImport(r: StixImportResult) {
  return {
    objects: r.objects,
    indicators: r.indicators,
    sightings: r.sightings,
    skipped_count: r.skippedCount,
    skipped: r.skipped,
    rejected_count: r.rejectedCount,
    rejected: r.rejected,
    duration_ms: r.durationMs,
  };
}

export async function stixRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  // STIX's own media type and TAXII's carry the same JSON; the parsers stay inside this plugin.
  app.addContentTypeParser(/^application\/(stix|taxii)\+json/, { parseAs: 'string', bodyLimit: STIX_BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, parseStixJson(String(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const tags = ['stix'];

  app.post(
    '/stix/bundles',
    {
      preValidation: requireSignedIn,
      bodyLimit: STIX_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Import a STIX 2.1 bundle (or a list of objects): indicators for staff, sightings for a member organisation; bad objects by index and property path',
        querystring: ImportQuery,
        response: { 200: ImportResult, ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      // Checked before the role, so a body that is not STIX says so to anyone signed in.
      stixObjectsOf(request.body);
      const actor = request.caller.actor;
      if (!can(actor, 'indicators:manage') && !can(actor, 'sightings:report')) throw new BakenError('FORBIDDEN', { detail: 'Importing STIX takes indicators:manage (indicators) or a member organisation (sightings).' });
      const q = request.query;
      const r = await importStix(ctx, request.caller, request.body, {
        ...(q.strict !== undefined ? { strict: q.strict } : {}),
        ...(q.lenient ? { lenient: true } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.share_name ? { shareName: true } : {}),
      });
      return presentImport(r);
    },
  );

  app.get(
    '/stix/bundle',
    {
      preValidation: requireSignedIn,
      schema: {
        tags,
        summary: 'The indicators you may take in bulk (TLP policy; never RED) as a STIX 2.1 bundle, oldest first; the next page is in the Link header',
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }),
        response: { 200: Bundle, ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await exportStixIndicators(ctx, viewerOf(request.caller.actor), { ...(q.after !== undefined ? { after: q.after } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });
      if (page.next !== null) reply.header('link', `</api/v1/stix/bundle?after=${page.next}${q.limit !== undefined ? `&limit=${q.limit}` : ''}>; rel="next"`);
      return reply.type('application/stix+json;version=2.1').send(page.bundle);
    },
  );

  app.get(
    '/stix/indicators/:id',
    {
      preValidation: requireSignedIn,
      schema: {
        tags,
        summary: 'One indicator by its STIX id (indicator--…), as a bundle with the hub’s identity and its TLP marking',
        params: Type.Object({ id: Type.String({ pattern: '^indicator--[0-9a-fA-F-]{36}$' }) }),
        response: { 200: Bundle, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => reply.type('application/stix+json;version=2.1').send(await exportStixIndicator(ctx, viewerOf(request.caller.actor), request.params.id)),
  );
}
