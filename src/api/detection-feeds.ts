/**
 * GET /feeds/{zeek,suricata,rpz,edl,csv}/...: the detection exports, each cut to the caller's organisation by the
 * TLP policy (src/interop/exports/feed-indicators.ts). Thin: authenticate (key as Bearer, Basic password, or
 * `?key=` moved into the header before routing), answer 304 when the poller has the current version, else stream.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { viewerOf } from '../hub/tlp.js';
import { DETECTION_EXPORTS, prepareExport, type DetectionExport } from '../interop/exports/detection-exports.js';
import type { Context } from '../platform/context.js';
import { requirePermission } from '../platform/http/authenticate.js';

/** The paths under which `?key=` is accepted (see src/platform/http/feed-key.ts). */
export const DETECTION_FEED_PREFIXES: readonly string[] = [...new Set(DETECTION_EXPORTS.map((e) => e.path.slice(0, e.path.lastIndexOf('/') + 1)))];

/** Whether the poller's copy is current: If-None-Match when sent (it wins, RFC 9110), else If-Modified-Since. */
export function isCurrent(request: FastifyRequest, etag: string, changedAt: string): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) {
    return inm
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === etag);
  }
  const ims = request.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(changedAt) <= since;
}

async function serve(ctx: Context, exp: DetectionExport, request: FastifyRequest, reply: FastifyReply) {
  const viewer = viewerOf(request.caller.actor);
  // A member's feed is its organisation's; coordinator keys get the view every member shares.
  const owner = viewer.kind === 'member' ? viewer.organisationId : null;
  const p = await prepareExport(ctx, exp, owner);
  const etag = `"${p.version}"`;
  reply
    .header('etag', etag)
    .header('last-modified', new Date(p.changedAt).toUTCString())
    // Per caller, and worth asking again every time: the answer is 304 when nothing changed.
    .header('cache-control', 'private, no-cache')
    .header('vary', 'Authorization, Cookie');
  if (isCurrent(request, etag, p.changedAt)) return reply.code(304).send();
  reply.type(exp.contentType).header('content-disposition', `${exp.name === 'csv' ? 'attachment' : 'inline'}; filename="${exp.filename}"`);
  return reply.send(Readable.from(p.body()));
}

export async function detectionFeedRoutes(app: FastifyInstance, opts: { ctx: Context }): Promise<void> {
  for (const exp of DETECTION_EXPORTS) {
    app.get(exp.path, { preValidation: requirePermission('feeds:read') }, (request, reply) => serve(opts.ctx, exp, request, reply));
  }
}
