/**
 * buildApp: the whole HTTP surface as a Fastify instance that does not listen.
 * `baken serve` calls listen on it; tests call `inject`.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { apiV1 } from './api/v1/index.js';
import { DETECTION_FEED_PREFIXES, detectionFeedRoutes } from './api/detection-feeds.js';
import { healthRoutes } from './api/health.js';
import { mispFeedRoutes } from './api/misp-feed-routes.js';
import { cookiesAreSecure } from './config.js';
import type { Context } from './platform/context.js';
import { authenticatePlugin } from './platform/http/authenticate.js';
import { csrfPlugin } from './platform/http/csrf.js';
import { feedKeyToHeader } from './platform/http/feed-key.js';
import { registerErrorHandler } from './platform/http/error-handler.js';
import { metricsPlugin } from './platform/http/metrics.js';
import { renderErrorPage } from './web/error-page.js';
import { notifyRoutes } from './web/notify-routes.js';
import { portalRoutes } from './web/portal-routes.js';
import { publicationRoutes } from './web/publication-routes.js';
import { indicatorWebRoutes } from './web/indicator-routes.js';
import { alertWebRoutes } from './web/alert-routes.js';
import { memberWebRoutes } from './web/member-routes.js';
import { correlationWebRoutes } from './web/correlation-routes.js';
import { webRoutes } from './web/routes.js';
import { taxiiRoutes } from './interop/taxii/taxii-routes.js';

export interface BuildAppOptions {
  ctx: Context;
  /** Called for every route as it is registered (the route-and-role test lists them). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildApp({ ctx, onRoute }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Keep a caller's request id when it is sane, so logs line up across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Feeds for consumers that take only a URL: `?key=` leaves the URL before anything logs it.
    rewriteUrl: feedKeyToHeader(DETECTION_FEED_PREFIXES),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First: routes take the error handler that is in force when they are registered.
  registerErrorHandler(app, (request, reply, err, status) => renderErrorPage(ctx, request, reply, err, status));
  if (onRoute) app.addHook('onRoute', (r) => onRoute({ method: r.method, url: r.url }));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(cookiesAreSecure(ctx.config) ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: cookiesAreSecure(ctx.config) ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Baken API',
        version: '1',
        description: 'Coordinated cyber-threat notification. Authenticate with `Authorization: Bearer <API key>`; people use the session cookie (send `x-csrf-token` on writes).',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (bkn_...)' },
          basic: { type: 'http', scheme: 'basic', description: 'Any user name; the API key as password' },
          session: { type: 'apiKey', in: 'cookie', name: 'baken_session' },
        },
      },
      security: [{ apiKey: [] }, { basic: [] }, { session: [] }],
    },
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: false } });

  await app.register(authenticatePlugin, { ctx });
  await app.register(csrfPlugin, { ctx });
  await app.register(metricsPlugin);

  await app.register(healthRoutes, { ctx });
  await app.register(apiV1, { ctx, prefix: '/api/v1' });
  await app.register(taxiiRoutes, { ctx, prefix: '/taxii2' });
  await app.register(webRoutes, { ctx });
  await app.register(portalRoutes, { ctx });
  await app.register(notifyRoutes, { ctx });
  await app.register(publicationRoutes, { ctx });
  await app.register(indicatorWebRoutes, { ctx });
  await app.register(alertWebRoutes, { ctx });
  await app.register(memberWebRoutes, { ctx });
  await app.register(correlationWebRoutes, { ctx });
  await app.register(detectionFeedRoutes, { ctx });
  await app.register(mispFeedRoutes, { ctx });
  return app as unknown as FastifyInstance;
}
