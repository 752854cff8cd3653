import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { addReportHosts, reportStatus, submitReport } from '../../hotline/reports/reports.js';
import { hostEventsOf, hostsUploadOptions } from '../../hotline/cases/upload-hosts.js';
import { configuredWarninglists } from '../../hotline/cases/upload-warninglists.js';
import { presentCase, presentReportStatus, presentUploadResult } from '../presenters.js';
import { HOSTS_BODY_LIMIT } from './cases.js';
import { CaseIdParams, errors, HostsUploadQuery, ReportCreate, ReportCreated, ReportStatus, UploadResult } from './schemas.js';

function reportToken(request: FastifyRequest): string {
  const t = request.headers['x-report-token'];
  if (typeof t !== 'string' || t === '') throw new BakenError('BAD_INPUT', { detail: 'Send the status token of the report as x-report-token.' });
  return t;
}

/** Researchers' reports: no account, limited per address. */
export async function reportRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['reports'];
  await app.register(rateLimit, { global: false });
  for (const type of ['text/csv', 'application/x-ndjson']) app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  const limit = { max: ctx.config.reportsPerHour, timeWindow: 3600_000 };

  app.post(
    '/reports',
    {
      config: { rateLimit: limit },
      schema: {
        tags,
        summary: 'Report an incident (no account needed); returns the case id and a status link shown once',
        security: [],
        body: ReportCreate,
        response: { 201: ReportCreated, ...errors(400, 413, 429) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const r = await submitReport(
        ctx,
        request.caller,
        {
          title: b.title,
          description: b.description ?? '',
          classification: b.classification ?? 'other/other',
          cves: b.cves ?? [],
          product: b.product ?? null,
          versions: b.versions ?? null,
          howFound: b.how_found ?? null,
          reporterName: b.reporter.name ?? null,
          reporterEmail: b.reporter.email,
          mayCredit: b.reporter.may_credit === true,
          language: b.language ?? 'en',
        },
        { channel: 'api', hosts: b.hosts ? hostEventsOf(b.hosts.text, { format: b.hosts.format ?? 'auto', ...(b.hosts.mapping ? { mapping: b.hosts.mapping } : {}), warninglists: await configuredWarninglists(ctx) }) : null },
      );
      return reply.status(201).send({ case_id: r.case.caseId, state: presentCase(r.case).state, status_url: r.statusUrl, status_token: r.statusToken, upload: r.upload ? presentUploadResult(r.upload) : null });
    },
  );

  app.get(
    '/reports/status',
    {
      config: { rateLimit: { max: 600, timeWindow: 3600_000 } },
      schema: { tags, summary: 'The status of your report (x-report-token: the status token)', security: [], response: { 200: ReportStatus, ...errors(400, 404, 429) } },
    },
    async (request) => presentReportStatus(await reportStatus(ctx, reportToken(request))),
  );

  app.post(
    '/reports/:id/hosts',
    {
      config: { rateLimit: limit },
      bodyLimit: HOSTS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Add the affected hosts to your report (x-report-token; text/plain, text/csv or application/x-ndjson) while it is received or in triage',
        security: [],
        params: CaseIdParams,
        querystring: HostsUploadQuery,
        response: { 201: UploadResult, ...errors(400, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const token = reportToken(request);
      const body = request.body as Buffer | string | undefined;
      if (body === undefined || body.length === 0) throw new BakenError('BAD_INPUT', { detail: 'Send the hosts as the request body.' });
      const options = hostsUploadOptions(request.query);
      const r = await addReportHosts(ctx, request.caller, request.params.id, token, hostEventsOf(body, { ...options, warninglists: await configuredWarninglists(ctx) }), { source: request.query.source ?? 'api', ...(options.strict ? { strict: true } : {}) });
      return reply.status(201).send(presentUploadResult(r));
    },
  );
}
