import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { createOperator, exportOperatorsCsv, getOperator, importOperatorsCsv, listOperators, updateOperator, type OperatorPatch } from '../../registry/operators.js';
import { presentOperator } from '../presenters.js';
import { errors, IdParams, Operator, OperatorCreate, OperatorPatch as OperatorPatchSchema } from './schemas.js';

export async function operatorRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['operators'];
  const read = requirePermission('operators:read');
  const manage = requirePermission('operators:manage');
  // CSV imports arrive as text; the parser stays inside this plugin.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get(
    '/operators',
    {
      preValidation: read,
      schema: { tags, summary: 'Search the operator directory by name, ASN, contact, prefix or address', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }), response: { 200: Type.Array(Operator), ...errors(400, 401, 403) } },
    },
    async (request) => (await listOperators(ctx, request.query.q)).map(presentOperator),
  );

  app.post(
    '/operators',
    { preValidation: manage, schema: { tags, summary: 'Add a network operator', body: OperatorCreate, response: { 201: Operator, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      const b = request.body;
      const o = await createOperator(ctx, request.caller, {
        name: b.name,
        ...(b.language ? { language: b.language } : {}),
        notes: b.notes ?? null,
        asns: b.asns ?? [],
        prefixes: b.prefixes ?? [],
        contacts: b.abuse_contacts ?? [],
      });
      return reply.status(201).send(presentOperator(o));
    },
  );

  app.get(
    '/operators/export.csv',
    { preValidation: read, schema: { tags, summary: 'The directory as CSV (name, asns, prefixes, abuse_contacts, language, notes)' } },
    async (_request, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="operators.csv"').send(await exportOperatorsCsv(ctx)),
  );

  app.post(
    '/operators/import',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Import CSV (text/csv, the export\'s columns); all lines land or none, problems by line and field',
        response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }), ...errors(400, 401, 403, 415) },
      },
    },
    async (request) => importOperatorsCsv(ctx, request.caller, String(request.body ?? '')),
  );

  app.get(
    '/operators/:id',
    { preValidation: read, schema: { tags, summary: 'One operator', params: IdParams, response: { 200: Operator, ...errors(401, 403, 404) } } },
    async (request) => presentOperator(await getOperator(ctx, request.params.id)),
  );

  app.patch(
    '/operators/:id',
    {
      preValidation: manage,
      schema: { tags, summary: 'Change an operator; lists given replace the old ones', params: IdParams, body: OperatorPatchSchema, response: { 200: Operator, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const { abuse_contacts, ...rest } = request.body;
      const patch: OperatorPatch = { ...rest, ...(abuse_contacts !== undefined ? { contacts: abuse_contacts } : {}) };
      return presentOperator(await updateOperator(ctx, request.caller, request.params.id, patch));
    },
  );
}
