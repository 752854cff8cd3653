import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '../../accounts/api-keys.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentApiKey } from '../presenters.js';
import { ApiKey, ApiKeyCreate, errors, IdParams } from './schemas.js';

export async function apiKeyRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['api keys'];
  const preValidation = requirePermission('apikeys:manage');

  app.get(
    '/api-keys',
    {
      preValidation,
      schema: { tags, summary: 'List API keys (never the keys themselves)', querystring: Type.Object({ organisation_id: Type.Optional(Type.Integer({ minimum: 1 })) }), response: { 200: Type.Array(ApiKey), ...errors(400, 401, 403) } },
    },
    async (request) => {
      const now = ctx.clock.now();
      const keys = await listApiKeys(ctx, request.query.organisation_id ? { organisationId: request.query.organisation_id } : {});
      return keys.map((k) => presentApiKey(k, now));
    },
  );

  app.post(
    '/api-keys',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Create an API key; the key is in this response and nowhere else, ever',
        body: ApiKeyCreate,
        response: { 201: Type.Object({ api_key: ApiKey, key: Type.String() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { apiKey, secret } = await createApiKey(ctx, request.caller, { organisationId: b.organisation_id, role: b.role, label: b.label ?? null, expires: b.expires ?? null });
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ api_key: presentApiKey(apiKey, ctx.clock.now()), key: secret });
    },
  );

  app.get(
    '/api-keys/:id',
    { preValidation, schema: { tags, summary: 'One API key', params: IdParams, response: { 200: ApiKey, ...errors(401, 403, 404) } } },
    async (request) => presentApiKey(await getApiKey(ctx, request.params.id), ctx.clock.now()),
  );

  app.delete(
    '/api-keys/:id',
    { preValidation, schema: { tags, summary: 'Revoke an API key', params: IdParams, response: { 200: ApiKey, ...errors(401, 403, 404, 409) } } },
    async (request) => presentApiKey(await revokeApiKey(ctx, request.caller, request.params.id), ctx.clock.now()),
  );
}
