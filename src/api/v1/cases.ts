import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import {
  addComment,
  addEvidence,
  assignHandler,
  caseRow,
  caseTimeline,
  changeState,
  createCase,
  getCase,
  getEvidence,
  listCases,
  listComments,
  listEvidence,
  mergeDuplicate,
  unassignHandler,
  updateCase,
  EVIDENCE_MAX_BYTES,
} from '../../hotline/cases/cases.js';
import { listHosts, listRejected, listUploads } from '../../hotline/cases/case-hosts.js';
import { assignContact, hostsWithoutContact, recipientsOf } from '../../hotline/cases/recipients.js';
import { createCaseWithHosts, hostsUploadOptions, uploadHosts } from '../../hotline/cases/upload-hosts.js';
import { previewUpload } from '../../hotline/cases/preview-upload.js';
import { presentCase, presentCaseEvent, presentComment, presentEvidence, presentHost, presentHostPreview, presentRecipient, presentUnassigned, presentUpload, presentUploadResult } from '../presenters.js';
import {
  Case,
  CaseComment,
  CaseCreate,
  CaseEvent,
  CaseHost,
  CaseIdParams,
  CasePatch,
  CaseQuery,
  CaseStateChange,
  ContactAssign,
  errors,
  Evidence,
  EvidenceCreate,
  HostPreviewSchema,
  HostsUploadQuery,
  Recipient,
  RejectedLineSchema,
  Unassigned,
  UploadResult,
} from './schemas.js';

/** Uploads of hosts may be much larger than other requests: a million lines of Shadowserver CSV is about 300 MB. */
export const HOSTS_BODY_LIMIT = 512 * 1024 * 1024;

export async function caseRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cases'];
  const read = requirePermission('cases:read');
  const manage = requirePermission('cases:manage');
  // Host uploads arrive as text; the parsers stay inside this plugin.
  for (const type of ['text/csv', 'application/x-ndjson']) app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get(
    '/cases',
    { preValidation: read, schema: { tags, summary: 'Cases, newest first; filter by state, handler or words in the title', querystring: CaseQuery, response: { 200: Type.Array(Case), ...errors(400, 401, 403) } } },
    async (request) => {
      const q = request.query;
      const before = q.before ? Number((await caseRow(ctx.db.kysely, q.before)).id) : undefined;
      const list = await listCases(ctx, { ...(q.state ? { state: q.state } : {}), ...(q.q ? { q: q.q } : {}), ...(q.handler_id ? { handlerId: q.handler_id } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(before ? { beforeId: before } : {}) });
      return list.map(presentCase);
    },
  );

  app.post(
    '/cases',
    { preValidation: manage, bodyLimit: HOSTS_BODY_LIMIT, schema: { tags, summary: 'Open a case (state triage), optionally with its hosts as text', body: CaseCreate, response: { 201: Type.Object({ case: Case, upload: Type.Union([UploadResult, Type.Null()]) }), ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const { hosts, ...input } = request.body;
      if (hosts) {
        const r = await createCaseWithHosts(ctx, request.caller, input, hosts.text, { format: hosts.format ?? 'auto', ...(hosts.mapping ? { mapping: hosts.mapping } : {}), source: 'api', state: 'triage' });
        return reply.status(201).send({ case: presentCase(r.case), upload: presentUploadResult(r.upload) });
      }
      return reply.status(201).send({ case: presentCase(await createCase(ctx, request.caller, input, 'triage')), upload: null });
    },
  );

  app.get('/cases/:id', { preValidation: read, schema: { tags, summary: 'One case', params: CaseIdParams, response: { 200: Case, ...errors(401, 403, 404) } } }, async (request) => presentCase(await getCase(ctx, request.params.id)));

  app.patch(
    '/cases/:id',
    { preValidation: manage, schema: { tags, summary: 'Change title, description, classification, CVEs, product or versions', params: CaseIdParams, body: CasePatch, response: { 200: Case, ...errors(400, 401, 403, 404) } } },
    async (request) => presentCase(await updateCase(ctx, request.caller, request.params.id, request.body)),
  );

  app.post(
    '/cases/:id/state',
    {
      preValidation: manage,
      schema: { tags, summary: 'Move the case to another state (refused with 409 BAKEN_E_CASE_TRANSITION when the state machine does not allow it)', params: CaseIdParams, body: CaseStateChange, response: { 200: Case, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => presentCase(await changeState(ctx, request.caller, request.params.id, request.body.state, request.body.reason ?? null)),
  );

  app.post(
    '/cases/:id/merge',
    { preValidation: manage, schema: { tags, summary: 'Mark this case a duplicate of another and merge it in', params: CaseIdParams, body: Type.Object({ primary: Type.String({ maxLength: 40 }) }, { additionalProperties: false }), response: { 200: Case, ...errors(400, 401, 403, 404, 409) } } },
    async (request) => presentCase(await mergeDuplicate(ctx, request.caller, request.params.id, request.body.primary)),
  );

  app.post(
    '/cases/:id/handlers',
    { preValidation: manage, schema: { tags, summary: 'Assign a handler', params: CaseIdParams, body: Type.Object({ user_id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), response: { 200: Case, ...errors(400, 401, 403, 404) } } },
    async (request) => presentCase(await assignHandler(ctx, request.caller, request.params.id, request.body.user_id)),
  );

  app.delete(
    '/cases/:id/handlers/:userId',
    { preValidation: manage, schema: { tags, summary: 'Unassign a handler', params: Type.Object({ id: Type.String({ maxLength: 40 }), userId: Type.Integer({ minimum: 1 }) }), response: { 200: Case, ...errors(401, 403, 404) } } },
    async (request) => presentCase(await unassignHandler(ctx, request.caller, request.params.id, request.params.userId)),
  );

  app.get(
    '/cases/:id/events',
    { preValidation: read, schema: { tags, summary: 'The timeline of a case', params: CaseIdParams, response: { 200: Type.Array(CaseEvent), ...errors(401, 403, 404) } } },
    async (request) => (await caseTimeline(ctx, request.params.id)).map(presentCaseEvent),
  );

  app.get(
    '/cases/:id/comments',
    { preValidation: read, schema: { tags, summary: 'Comments', params: CaseIdParams, response: { 200: Type.Array(CaseComment), ...errors(401, 403, 404) } } },
    async (request) => (await listComments(ctx, request.params.id)).map(presentComment),
  );

  app.post(
    '/cases/:id/comments',
    { preValidation: manage, schema: { tags, summary: 'Add a comment', params: CaseIdParams, body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 10000 }) }, { additionalProperties: false }), response: { 201: CaseComment, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => reply.status(201).send(presentComment(await addComment(ctx, request.caller, request.params.id, request.body.body))),
  );

  app.get(
    '/cases/:id/evidence',
    { preValidation: read, schema: { tags, summary: 'Evidence files (without their content)', params: CaseIdParams, response: { 200: Type.Array(Evidence), ...errors(401, 403, 404) } } },
    async (request) => (await listEvidence(ctx, request.params.id)).map(presentEvidence),
  );

  app.post(
    '/cases/:id/evidence',
    {
      preValidation: manage,
      bodyLimit: Math.ceil((EVIDENCE_MAX_BYTES * 4) / 3) + 4096,
      schema: { tags, summary: 'Attach an evidence file (at most 10 MB)', params: CaseIdParams, body: EvidenceCreate, response: { 201: Evidence, ...errors(400, 401, 403, 404, 413) } },
    },
    async (request, reply) => {
      const b = request.body;
      if (!/^[A-Za-z0-9+/=\s]*$/.test(b.data_base64)) throw new BakenError('VALIDATION', { detail: 'data_base64: not base64', problems: [{ field: 'data_base64', message: 'not base64' }] });
      const e = await addEvidence(ctx, request.caller, request.params.id, { name: b.name, contentType: b.content_type ?? null, data: Buffer.from(b.data_base64, 'base64') });
      return reply.status(201).send(presentEvidence(e));
    },
  );

  app.get(
    '/cases/:id/evidence/:evidenceId',
    { preValidation: read, schema: { tags, summary: 'Download an evidence file (audited)', params: Type.Object({ id: Type.String({ maxLength: 40 }), evidenceId: Type.Integer({ minimum: 1 }) }) } },
    async (request, reply) => {
      const e = await getEvidence(ctx, request.caller, request.params.id, request.params.evidenceId);
      // Never rendered inline: evidence is whatever a researcher sent.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${e.name.replace(/[^\w.-]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(e.data);
    },
  );

  app.post(
    '/cases/:id/hosts',
    {
      preValidation: manage,
      bodyLimit: HOSTS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Upload affected hosts (text/plain, text/csv or application/x-ndjson body); lands whole or not at all',
        params: CaseIdParams,
        querystring: HostsUploadQuery,
        response: { 201: UploadResult, ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body as Buffer | string | undefined;
      if (body === undefined || body.length === 0) throw new BakenError('BAD_INPUT', { detail: 'Send the hosts as the request body (text/plain, text/csv or application/x-ndjson).' });
      const r = await uploadHosts(ctx, request.caller, request.params.id, body, { ...hostsUploadOptions(request.query), source: request.query.source ?? 'api' });
      return reply.status(201).send(presentUploadResult(r));
    },
  );

  app.post(
    '/cases/:id/hosts/preview',
    {
      preValidation: manage,
      bodyLimit: HOSTS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Preview an upload of hosts (same body and query as the upload): detected format, columns, mapping, the first 20 hosts and the rejected lines among the lines read; saves nothing',
        params: CaseIdParams,
        querystring: HostsUploadQuery,
        response: { 200: HostPreviewSchema, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      await getCase(ctx, request.params.id); // 404 for a case that does not exist
      const body = request.body as Buffer | string | undefined;
      if (body === undefined || body.length === 0) throw new BakenError('BAD_INPUT', { detail: 'Send the hosts as the request body (text/plain, text/csv or application/x-ndjson).' });
      const { strict: _strict, ...options } = hostsUploadOptions(request.query);
      return presentHostPreview(await previewUpload(ctx, body, options));
    },
  );

  app.get(
    '/cases/:id/hosts',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The hosts of a case, a page at a time (each view is audited)',
        params: CaseIdParams,
        querystring: Type.Object({ filter: Type.Optional(Type.Union(['all', 'in', 'out', 'no-contact'].map((v) => Type.Literal(v)))), after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) }),
        response: { 200: Type.Object({ hosts: Type.Array(CaseHost), next: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listHosts(ctx, request.caller, request.params.id, { filter: (q.filter as 'all') ?? 'all', ...(q.after !== undefined ? { after: q.after } : {}), ...(q.limit ? { limit: q.limit } : {}) });
      return { hosts: page.hosts.map(presentHost), next: page.next };
    },
  );

  app.get(
    '/cases/:id/uploads',
    { preValidation: read, schema: { tags, summary: 'Upload summaries', params: CaseIdParams, response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())), ...errors(401, 403, 404) } } },
    async (request) => (await listUploads(ctx, request.params.id)).map(presentUpload),
  );

  app.get(
    '/cases/:id/rejected',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Lines of the uploads that did not become hosts, with their reasons',
        params: CaseIdParams,
        querystring: Type.Object({ upload_id: Type.Optional(Type.Integer({ minimum: 1 })), after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) }),
        response: { 200: Type.Object({ lines: Type.Array(Type.Intersect([RejectedLineSchema, Type.Object({ upload_id: Type.Integer() })])), next: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await listRejected(ctx, request.params.id, { ...(q.upload_id ? { uploadId: q.upload_id } : {}), ...(q.after !== undefined ? { after: q.after } : {}), ...(q.limit ? { limit: q.limit } : {}) });
      return { lines: r.lines.map((l) => ({ line: l.line, field: l.field, reason: l.reason, text: l.text, upload_id: l.uploadId })), next: r.next };
    },
  );

  app.get(
    '/cases/:id/recipients',
    { preValidation: read, schema: { tags, summary: 'In-scope hosts grouped per recipient (abuse contact)', params: CaseIdParams, response: { 200: Type.Array(Recipient), ...errors(401, 403, 404) } } },
    async (request) => (await recipientsOf(ctx, request.params.id)).map(presentRecipient),
  );

  app.get(
    '/cases/:id/unassigned',
    { preValidation: read, schema: { tags, summary: 'In-scope hosts without a contact, grouped by operator and AS', params: CaseIdParams, response: { 200: Type.Array(Unassigned), ...errors(401, 403, 404) } } },
    async (request) => (await hostsWithoutContact(ctx, request.params.id)).map(presentUnassigned),
  );

  app.post(
    '/cases/:id/contacts',
    {
      preValidation: manage,
      schema: { tags, summary: 'Give the contactless hosts of an operator or AS a contact; optionally save it to the operator directory', params: CaseIdParams, body: ContactAssign, response: { 200: Type.Object({ hosts: Type.Integer(), operator_id: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => {
      const b = request.body;
      const r = await assignContact(ctx, request.caller, request.params.id, { operatorId: b.operator_id ?? null, asn: b.asn ?? null, email: b.email, saveToDirectory: b.save_to_directory === true, operatorName: b.operator_name ?? null });
      return { hosts: r.hosts, operator_id: r.operatorId };
    },
  );
}
