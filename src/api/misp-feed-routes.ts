/**
 * `/feeds/misp/`: the MISP feed of the caller's organisation (manifest.json, hashes.csv, `<uuid>.json`), for a
 * MISP instance to subscribe to with the member's API key in an `Authorization: Bearer KEY` header. What a caller
 * gets is decided by the TLP policy (see interop/misp/export-misp-feed.ts). Each answer has an ETag, and a poller
 * that sends it back in If-None-Match gets 304 without a body.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mispFeedEvent, mispFeedEvents, mispHashes, mispManifest } from '../interop/misp/export-misp-feed.js';
import type { Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { requireSignedIn } from '../platform/http/authenticate.js';
import { viewerOf } from '../hub/tlp.js';

/** Sends the body with a strong ETag over it, or 304 when the client has it already. */
function sendTagged(request: FastifyRequest, reply: FastifyReply, type: string, body: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'authorization, cookie');
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return reply.status(304).send();
  return reply.type(type).send(body);
}

export async function mispFeedRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/feeds/misp/manifest.json', { preValidation: requireSignedIn }, async (request, reply) => {
    const events = await mispFeedEvents(ctx, viewerOf(request.caller.actor));
    return sendTagged(request, reply, 'application/json; charset=utf-8', JSON.stringify(mispManifest(events)));
  });

  app.get('/feeds/misp/hashes.csv', { preValidation: requireSignedIn }, async (request, reply) => {
    const events = await mispFeedEvents(ctx, viewerOf(request.caller.actor));
    return sendTagged(request, reply, 'text/csv; charset=utf-8', mispHashes(events));
  });

  app.get<{ Params: { event: string } }>('/feeds/misp/:event', { preValidation: requireSignedIn }, async (request, reply) => {
    const m = /^([0-9a-f-]{36})\.json$/i.exec(request.params.event);
    // Unknown, not this hub's, or not the caller's: the same 404, so that what others receive does not leak.
    const event = m ? await mispFeedEvent(ctx, viewerOf(request.caller.actor), m[1]!) : null;
    if (!event) throw new BakenError('NOT_FOUND', { detail: 'There is no such event in your MISP feed.' });
    return sendTagged(request, reply, 'application/json; charset=utf-8', JSON.stringify(event));
  });
}
