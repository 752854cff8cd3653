/** The REST API, version 1. Routes are thin: authenticate, validate, authorise, call the domain, present. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../platform/context.js';
import { apiKeyRoutes } from './apiKeys.js';
import { auditRoutes } from './audit.js';
import { meRoutes } from './me.js';
import { organisationRoutes } from './organisations.js';
import { userRoutes } from './users.js';

export async function apiV1(app: FastifyInstance, opts: { ctx: Context }): Promise<void> {
  await app.register(meRoutes, opts);
  await app.register(organisationRoutes, opts);
  await app.register(userRoutes, opts);
  await app.register(apiKeyRoutes, opts);
  await app.register(auditRoutes, opts);
}
