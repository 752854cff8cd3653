import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getOrganisation } from '../../accounts/organisations.js';
import { permissionsOf } from '../../accounts/policies.js';
import { SECTORS } from '../../accounts/sectors.js';
import type { Context } from '../../platform/context.js';
import { requireSignedIn } from '../../platform/http/authenticate.js';
import { presentOrganisation, presentUser } from '../presenters.js';
import { errors, Nullable, Organisation, User } from './schemas.js';

export async function meRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me',
    {
      preValidation: requireSignedIn,
      schema: {
        tags: ['account'],
        summary: 'Who is calling: the user or key, its organisation and what it may do',
        response: {
          200: Type.Object({
            kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
            role: Type.String(),
            user: Nullable(User),
            api_key_id: Nullable(Type.Integer()),
            organisation: Organisation,
            permissions: Type.Array(Type.String()),
          }),
          ...errors(401),
        },
      },
    },
    async (request) => {
      const actor = request.caller.actor;
      if (actor.kind !== 'user' && actor.kind !== 'api_key') throw new Error('unreachable: requireSignedIn');
      const org = await getOrganisation(ctx, actor.organisationId);
      return {
        kind: actor.kind,
        role: actor.role,
        user: request.session ? presentUser(request.session.user) : null,
        api_key_id: actor.kind === 'api_key' ? actor.apiKeyId : null,
        organisation: presentOrganisation(org),
        permissions: permissionsOf(actor),
      };
    },
  );

  app.get(
    '/sectors',
    {
      schema: {
        tags: ['organisations'],
        summary: 'The sectors of member organisations (central government and the NIS2 sectors)',
        response: { 200: Type.Array(Type.Object({ code: Type.String(), en: Type.String(), nl: Type.String() })) },
      },
    },
    async () => Object.entries(SECTORS).map(([code, label]) => ({ code, ...label })),
  );
}
