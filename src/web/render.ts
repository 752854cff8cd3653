/** Sends a server-rendered page. */
import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  // Pages show personal data and CSRF tokens: never keep them in shared caches.
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send('<!doctype html>' + renderToString(page));
}
