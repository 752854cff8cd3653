/**
 * Works out who is calling, once per request, before any route runs:
 * - machines: an API key as `Authorization: Bearer KEY`, or as the password of
 *   HTTP Basic (standard TAXII clients only speak Basic);
 * - people: the session cookie.
 * A presented but bad key is an error (401), never a silent fall back to anonymous.
 * Routes then ask {@link requirePermission} or a named policy.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { authenticateApiKey } from '../../accounts/api-keys.js';
import { can, type Permission } from '../../accounts/policies.js';
import { resolveSession, type SessionInfo } from '../../accounts/sessions.js';
import { cookiesAreSecure } from '../../config.js';
import { audit } from '../audit.js';
import type { Caller, Context, RequestMeta } from '../context.js';
import { BakenError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    session: SessionInfo | null;
    /** The raw session token from the cookie, for CSRF tokens; null without a session. */
    sessionToken: string | null;
  }
}

export function sessionCookieName(ctx: Context): string {
  // The __Host- prefix pins the cookie to this host and path, but browsers accept it only when Secure.
  return cookiesAreSecure(ctx.config) ? '__Host-baken_session' : 'baken_session';
}

export function sessionCookieOptions(ctx: Context) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: cookiesAreSecure(ctx.config) };
}

export function metaOf(request: FastifyRequest): RequestMeta {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null, requestId: String(request.id) };
}

function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : decoded;
  }
  return null;
}

export const authenticatePlugin = fp(async (app: FastifyInstance, opts: { ctx: Context }) => {
  const { ctx } = opts;
  const cookieName = sessionCookieName(ctx);
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionToken', null);

  app.addHook('onRequest', async (request) => {
    const meta = metaOf(request);
    request.caller = { actor: { kind: 'anonymous' }, meta };
    const key = presentedKey(request.headers.authorization);
    if (request.headers.authorization && key === null) {
      throw new BakenError('UNAUTHENTICATED', { detail: 'Use "Authorization: Bearer KEY" or HTTP Basic with the key as password.' });
    }
    if (key !== null) {
      try {
        request.caller = { actor: await authenticateApiKey(ctx, key), meta };
      } catch (err) {
        if (err instanceof BakenError) {
          await audit(ctx.db.kysely, ctx.clock, request.caller, { action: 'auth.key_rejected', details: { prefix: key.slice(0, 10) } });
        }
        throw err;
      }
      return;
    }
    const token = request.cookies[cookieName];
    if (!token) return;
    const session = await resolveSession(ctx, token);
    if (!session) return;
    const u = session.user;
    request.session = session;
    request.sessionToken = token;
    request.caller = { actor: { kind: 'user', userId: u.id, label: u.email, organisationId: u.organisationId, role: u.role, orgAdmin: u.orgAdmin }, meta };
  });
});

/**
 * A preValidation hook that lets through only callers with the permission: anonymous
 * callers get 401, others 403.
 * @example app.get('/api/v1/audit', { preValidation: requirePermission('audit:read') }, handler)
 */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    assertPermission(request, permission);
  };
}

export function assertPermission(request: FastifyRequest, permission: Permission): void {
  const actor = request.caller.actor;
  if (actor.kind === 'anonymous') throw new BakenError('UNAUTHENTICATED');
  if (!can(actor, permission)) throw new BakenError('FORBIDDEN');
}

/** Any signed-in person or key. */
export async function requireSignedIn(request: FastifyRequest): Promise<void> {
  if (request.caller.actor.kind === 'anonymous') throw new BakenError('UNAUTHENTICATED');
}
