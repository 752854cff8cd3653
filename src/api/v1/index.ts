/** The REST API, version 1. Routes are thin: authenticate, validate, authorise, call the domain, present. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../platform/context.js';
import { alertRoutes } from './alerts.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { caseRoutes } from './cases.js';
import { indicatorRoutes } from './indicators.js';
import { lookupRoutes } from './lookup.js';
import { meRoutes } from './me.js';
import { memberRoutes } from './members.js';
import { operatorRoutes } from './operators.js';
import { roundRoutes } from './rounds.js';
import { sightingRoutes } from './sightings.js';
import { stixRoutes } from './stix.js';
import { streamRoutes } from './stream.js';
import { organisationRoutes } from './organisations.js';
import { reportRoutes } from './reports.js';
import { userRoutes } from './users.js';

export async function apiV1(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  // Only the context goes down: the prefix was applied to this plugin already.
  const opts = { ctx };
  await app.register(meRoutes, opts);
  await app.register(organisationRoutes, opts);
  await app.register(userRoutes, opts);
  await app.register(apiKeyRoutes, opts);
  await app.register(auditRoutes, opts);
  await app.register(lookupRoutes, opts);
  await app.register(operatorRoutes, opts);
  await app.register(caseRoutes, opts);
  await app.register(reportRoutes, opts);
  await app.register(roundRoutes, opts);
  await app.register(streamRoutes, opts);
  await app.register(indicatorRoutes, opts);
  await app.register(memberRoutes, opts);
  await app.register(alertRoutes, opts);
  await app.register(sightingRoutes, opts);
  await app.register(stixRoutes, opts);
}
