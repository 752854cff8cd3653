/**
 * CSRF protection for everything a browser can send with cookies. Tokens are
 * stateless: an HMAC of the session token (or, before login, of a random
 * pre-session cookie) under the server secret. Forms carry it as `_csrf`,
 * scripts as the `x-csrf-token` header. Requests authenticated by an API key
 * carry no cookies a third site could ride on, so they need none.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Context } from '../context.js';
import { BakenError } from '../errors.js';
import { hmac, randomToken, safeEqual } from '../tokens.js';
import { sessionCookieOptions } from './authenticate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Check CSRF on this route even before a session exists (login and other public forms). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    /** The CSRF token to put in forms rendered for this request. */
    csrfToken(reply: FastifyReply): string;
  }
}

const PRE_SESSION_COOKIE = 'baken_pre';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfPlugin = fp(async (app: FastifyInstance, opts: { ctx: Context }) => {
  const { ctx } = opts;
  const tokenFor = (request: FastifyRequest): string | null => {
    if (request.sessionToken) return hmac(ctx.secret, `csrf:${request.sessionToken}`);
    const pre = request.cookies[PRE_SESSION_COOKIE];
    return pre ? hmac(ctx.secret, `csrf-pre:${pre}`) : null;
  };

  app.decorateRequest('csrfToken', function (this: FastifyRequest, reply: FastifyReply): string {
    const existing = tokenFor(this);
    if (existing) return existing;
    const pre = randomToken(24);
    reply.setCookie(PRE_SESSION_COOKIE, pre, { ...sessionCookieOptions(ctx), maxAge: 3600 * 12 });
    this.cookies[PRE_SESSION_COOKIE] = pre;
    return hmac(ctx.secret, `csrf-pre:${pre}`);
  });

  app.addHook('preValidation', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (request.caller.actor.kind === 'api_key') return;
    // Only requests a browser would send with our cookies need the check.
    if (!request.sessionToken && !request.cookies[PRE_SESSION_COOKIE] && request.routeOptions.config.csrf !== true) return;
    const expected = tokenFor(request);
    const body = request.body as Record<string, unknown> | undefined;
    const presented = (typeof body === 'object' && body !== null && typeof body._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
    if (!expected || typeof presented !== 'string' || !safeEqual(presented, expected)) throw new BakenError('CSRF');
  });
});

/** Forgets the pre-session cookie once a session exists. */
export function clearPreSession(reply: FastifyReply, ctx: Context): void {
  reply.clearCookie(PRE_SESSION_COOKIE, sessionCookieOptions(ctx));
}
