import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createUser, getUser, listUsers, setPassword, updateUser } from '../../accounts/users.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentUser } from '../presenters.js';
import { errors, IdParams, Nullable, PasswordSet, User, UserCreate, UserPatch, UserQuery } from './schemas.js';

export async function userRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['users'];
  const preValidation = requirePermission('users:manage');

  app.get(
    '/users',
    { preValidation, schema: { tags, summary: 'List users', querystring: UserQuery, response: { 200: Type.Array(User), ...errors(400, 401, 403) } } },
    async (request) => {
      const q = request.query;
      return (await listUsers(ctx, { ...(q.organisation_id ? { organisationId: q.organisation_id } : {}), ...(q.role ? { role: q.role } : {}) })).map(presentUser);
    },
  );

  app.post(
    '/users',
    {
      preValidation,
      schema: {
        tags,
        summary: 'Create a user; without a password one is generated and returned once',
        body: UserCreate,
        response: { 201: Type.Object({ user: User, generated_password: Nullable(Type.String()) }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { user, generatedPassword } = await createUser(ctx, request.caller, {
        email: b.email,
        name: b.name ?? null,
        role: b.role,
        organisationId: b.organisation_id,
        password: b.password ?? null,
        language: b.language ?? null,
      });
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ user: presentUser(user), generated_password: generatedPassword });
    },
  );

  app.get(
    '/users/:id',
    { preValidation, schema: { tags, summary: 'One user', params: IdParams, response: { 200: User, ...errors(401, 403, 404) } } },
    async (request) => presentUser(await getUser(ctx, request.params.id)),
  );

  app.patch(
    '/users/:id',
    {
      preValidation,
      schema: { tags, summary: 'Change name, role, language, or disable a user', params: IdParams, body: UserPatch, response: { 200: User, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => presentUser(await updateUser(ctx, request.caller, request.params.id, request.body)),
  );

  app.post(
    '/users/:id/password',
    {
      preValidation,
      schema: {
        tags,
        summary: "Set a user's password (ends the user's sessions)",
        params: IdParams,
        body: PasswordSet,
        response: { 200: Type.Object({ generated_password: Nullable(Type.String()) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { generatedPassword } = await setPassword(ctx, request.caller, request.params.id, request.body.password);
      reply.header('cache-control', 'no-store');
      return { generated_password: generatedPassword };
    },
  );
}
