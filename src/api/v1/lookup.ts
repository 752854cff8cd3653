import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IpParseError } from '../../net/ip-parse-error.js';
import type { Context } from '../../platform/context.js';
import { invalid } from '../../platform/errors.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { registryServices } from '../../registry/registry-services.js';
import { errors, LookupBulk, LookupError, Resolution } from './schemas.js';

export async function lookupRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['registry'];
  const preValidation = requirePermission('registry:lookup');

  app.get(
    '/lookup',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Who operates an address: network, ASN, AS name, country, operator and abuse contacts with their source',
        querystring: Type.Object({ ip: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Resolution, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { resolver } = await registryServices(ctx);
      try {
        return await resolver.resolve(request.query.ip);
      } catch (err) {
        if (err instanceof IpParseError) throw invalid('ip', err.message);
        throw err;
      }
    },
  );

  app.post(
    '/lookup',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Bulk lookup: up to 10,000 addresses; a bad address gets an error in its place',
        body: LookupBulk,
        response: { 200: Type.Object({ results: Type.Array(Type.Union([Resolution, LookupError])) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { resolver } = await registryServices(ctx);
      return { results: await resolver.resolveMany(request.body.ips) };
    },
  );
}
