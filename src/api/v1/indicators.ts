import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { analysesOfIndicator, createAnalysis, getAnalysis, listAnalyses, listAnalysisVersions, publishAnalysis, updateAnalysis } from '../../hub/analyses/analyses.js';
import { findIndicator, getIndicator, importIndicators, indicatorHistory, listIndicators, updateIndicator, upsertIndicator, type IndicatorPatch } from '../../hub/indicators/indicators.js';
import { parseLabels } from '../../hub/indicators/parse-indicator-lines.js';
import { warninglistFlags } from '../../hub/indicators/indicator-warninglists.js';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentAnalysis, presentAnalysisVersion, presentIndicator, presentIndicatorEvent } from '../presenters.js';
import {
  AnalysisCreate,
  AnalysisPatchSchema,
  AnalysisSchema,
  AnalysisSummarySchema,
  AnalysisVersionSchema,
  ImportQuery,
  ImportResultSchema,
  IndicatorCreate,
  IndicatorPage,
  IndicatorPatchSchema,
  IndicatorQuerySchema,
  IndicatorSchema,
  IndicatorWithHistory,
  VersionParams,
} from './indicator-schemas.js';
import { errors, IdParams } from './schemas.js';

/** `/api/v1/indicators` and `/api/v1/analyses`: the hub's threat information, for analysts and admins. */
export async function indicatorRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const read = requirePermission('indicators:read');
  const manage = requirePermission('indicators:manage');
  const analyses = requirePermission('analyses:manage');
  // Imports arrive as text; the parser stays inside this plugin (text/plain has Fastify's own).
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const tags = ['indicators'];
  app.get(
    '/indicators',
    { preValidation: read, schema: { tags, summary: 'Indicators, newest first, by type, TLP, label or text; `value` finds one in any spelling', querystring: IndicatorQuerySchema, response: { 200: IndicatorPage, ...errors(400, 401, 403) } } },
    async (request) => {
      const q = request.query;
      if (q.value !== undefined) {
        const found = await findIndicator(ctx, q.value, q.type ?? null);
        return { indicators: found ? [presentIndicator(found)] : [], next: null };
      }
      const page = await listIndicators(ctx, { ...q });
      return { indicators: page.indicators.map(presentIndicator), next: page.next };
    },
  );

  app.post(
    '/indicators',
    { preValidation: manage, schema: { tags, summary: 'Add an indicator, or update the one with the same type and value (201 when new)', body: IndicatorCreate, response: { 200: IndicatorSchema, 201: IndicatorSchema, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const b = request.body;
      const { indicator, created } = await upsertIndicator(ctx, request.caller, {
        value: b.value,
        ...(b.type ? { type: b.type } : {}),
        ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
        ...(b.confidence !== undefined ? { confidence: b.confidence } : {}),
        ...(b.labels ? { labels: b.labels } : {}),
        ...(b.source !== undefined ? { source: b.source } : {}),
        ...(b.valid_from !== undefined ? { validFrom: b.valid_from } : {}),
        ...(b.valid_until !== undefined ? { validUntil: b.valid_until } : {}),
        ...(b.lenient ? { lenient: true } : {}),
      });
      return reply.status(created ? 201 : 200).send(presentIndicator(indicator));
    },
  );

  app.post(
    '/indicators/import',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Bulk import (text/plain: one value a line; text/csv: type,value,tlp,confidence,labels,source,valid_from,valid_until); bad lines by number, or with strict=true nothing on any bad line',
        querystring: ImportQuery,
        response: { 200: ImportResultSchema, ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      if (typeof request.body !== 'string') throw new BakenError('UNSUPPORTED_MEDIA', { detail: 'Send the indicators as text/plain or text/csv.' });
      const q = request.query;
      let labels: string[] = [];
      try {
        labels = q.labels ? parseLabels(q.labels) : [];
      } catch (err) {
        throw new BakenError('VALIDATION', { detail: (err as Error).message, problems: [{ field: 'labels', message: (err as Error).message }] });
      }
      const r = await importIndicators(ctx, request.caller, request.body, {
        ...(q.strict ? { strict: true } : {}),
        ...(q.lenient ? { lenient: true } : {}),
        ...(q.tlp ? { tlp: q.tlp } : {}),
        ...(q.confidence !== undefined ? { confidence: q.confidence } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.type ? { type: q.type } : {}),
        labels,
      });
      return { format: r.format, lines: r.lines, indicators: r.indicators, created: r.created, updated: r.updated, duplicates: r.duplicates, rejected_count: r.rejectedCount, rejected: r.rejected, duration_ms: r.durationMs };
    },
  );

  app.get(
    '/indicators/:id',
    { preValidation: read, schema: { tags, summary: 'One indicator with its enrichment, history and analyses', params: IdParams, response: { 200: IndicatorWithHistory, ...errors(401, 403, 404) } } },
    async (request) => {
      const i = await getIndicator(ctx, request.params.id);
      const [history, linked, flags] = await Promise.all([indicatorHistory(ctx, i.id), analysesOfIndicator(ctx, i.id), warninglistFlags(ctx, [i])]);
      return { ...presentIndicator(i), history: history.map(presentIndicatorEvent), analyses: linked, warninglists: flags[0]?.lists ?? [] };
    },
  );

  app.patch(
    '/indicators/:id',
    { preValidation: manage, schema: { tags, summary: 'Change an indicator (labels given replace the old ones)', params: IdParams, body: IndicatorPatchSchema, response: { 200: IndicatorSchema, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const b = request.body;
      const patch: IndicatorPatch = {
        ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
        ...(b.confidence !== undefined ? { confidence: b.confidence } : {}),
        ...(b.labels !== undefined ? { labels: b.labels } : {}),
        ...(b.source !== undefined ? { source: b.source } : {}),
        ...(b.valid_from !== undefined ? { validFrom: b.valid_from } : {}),
        ...(b.valid_until !== undefined ? { validUntil: b.valid_until } : {}),
      };
      return presentIndicator(await updateIndicator(ctx, request.caller, request.params.id, patch));
    },
  );

  app.get(
    '/analyses',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'Threat analyses with their latest version', querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published')])) }), response: { 200: Type.Array(AnalysisSummarySchema), ...errors(401, 403) } } },
    async (request) =>
      (await listAnalyses(ctx, request.query.status ? { status: request.query.status } : {})).map((s) => ({
        id: s.id,
        title: s.title,
        tlp: s.tlp,
        severity: s.severity,
        status: s.status,
        latest_version: s.latestVersion,
        published_version: s.publishedVersion,
        updated_at: s.updatedAt,
      })),
  );

  app.post(
    '/analyses',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'Start an analysis (a draft, version 1)', body: AnalysisCreate, response: { 201: AnalysisSchema, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const b = request.body;
      const a = await createAnalysis(ctx, request.caller, { title: b.title, body: b.body, tlp: b.tlp, severity: b.severity, indicatorIds: b.indicator_ids ?? [] });
      return reply.status(201).send(presentAnalysis(a));
    },
  );

  app.get(
    '/analyses/:id',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'An analysis at its latest version', params: IdParams, response: { 200: AnalysisSchema, ...errors(401, 403, 404) } } },
    async (request) => presentAnalysis(await getAnalysis(ctx, request.params.id)),
  );

  app.patch(
    '/analyses/:id',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'Change the draft; a published analysis gets a new draft version', params: IdParams, body: AnalysisPatchSchema, response: { 200: AnalysisSchema, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const b = request.body;
      return presentAnalysis(
        await updateAnalysis(ctx, request.caller, request.params.id, {
          ...(b.title !== undefined ? { title: b.title } : {}),
          ...(b.body !== undefined ? { body: b.body } : {}),
          ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
          ...(b.severity !== undefined ? { severity: b.severity } : {}),
          ...(b.indicator_ids !== undefined ? { indicatorIds: b.indicator_ids } : {}),
        }),
      );
    },
  );

  app.post(
    '/analyses/:id/publish',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'Publish the latest draft; it is frozen from then on', params: IdParams, response: { 200: AnalysisSchema, ...errors(401, 403, 404, 409) } } },
    async (request) => presentAnalysis(await publishAnalysis(ctx, request.caller, request.params.id)),
  );

  app.get(
    '/analyses/:id/versions',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'Every version, newest first', params: IdParams, response: { 200: Type.Array(AnalysisVersionSchema), ...errors(401, 403, 404) } } },
    async (request) => (await listAnalysisVersions(ctx, request.params.id)).map(presentAnalysisVersion),
  );

  app.get(
    '/analyses/:id/versions/:version',
    { preValidation: analyses, schema: { tags: ['analyses'], summary: 'One version with its indicators', params: VersionParams, response: { 200: AnalysisSchema, ...errors(401, 403, 404) } } },
    async (request) => presentAnalysis(await getAnalysis(ctx, request.params.id, request.params.version)),
  );
}
