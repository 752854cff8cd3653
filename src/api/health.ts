/** Liveness and readiness for load balancers and orchestrators; no authentication, no details. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../platform/context.js';
import { isReachable } from '../platform/db/database.js';

export async function healthRoutes(app: FastifyInstance, opts: { ctx: Context }): Promise<void> {
  app.get('/healthz', { schema: { hide: true }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    const ok = await isReachable(opts.ctx.db);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unreachable' });
  });
}
