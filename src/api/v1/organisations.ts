import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createOrganisation, getOrganisation, listOrganisations, updateOrganisation } from '../../accounts/organisations.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentOrganisation } from '../presenters.js';
import { errors, IdParams, Organisation, OrganisationCreate, OrganisationPatch, OrganisationQuery } from './schemas.js';

export async function organisationRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['organisations'];

  app.get(
    '/organisations',
    {
      preValidation: requirePermission('organisations:read'),
      schema: { tags, summary: 'List organisations', querystring: OrganisationQuery, response: { 200: Type.Array(Organisation), ...errors(400, 401, 403) } },
    },
    async (request) => (await listOrganisations(ctx, request.query)).map(presentOrganisation),
  );

  app.post(
    '/organisations',
    {
      preValidation: requirePermission('organisations:manage'),
      schema: { tags, summary: 'Create a member or operator organisation', body: OrganisationCreate, response: { 201: Organisation, ...errors(400, 401, 403, 409) } },
    },
    async (request, reply) => {
      const org = await createOrganisation(ctx, request.caller, request.body);
      return reply.status(201).send(presentOrganisation(org));
    },
  );

  app.get(
    '/organisations/:id',
    {
      preValidation: requirePermission('organisations:read'),
      schema: { tags, summary: 'One organisation', params: IdParams, response: { 200: Organisation, ...errors(401, 403, 404) } },
    },
    async (request) => presentOrganisation(await getOrganisation(ctx, request.params.id)),
  );

  app.patch(
    '/organisations/:id',
    {
      preValidation: requirePermission('organisations:manage'),
      schema: { tags, summary: 'Change an organisation', params: IdParams, body: OrganisationPatch, response: { 200: Organisation, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => presentOrganisation(await updateOrganisation(ctx, request.caller, request.params.id, request.body)),
  );
}
