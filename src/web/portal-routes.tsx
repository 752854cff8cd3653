/**
 * The operator portal's pages: no account, the token in the path is the key.
 * Answers are forms with CSRF protection from a pre-session cookie.
 */
import type { FastifyInstance } from 'fastify';
import { openPortal, portalDownload, portalFeedback } from '../hotline/notifications/portal.js';
import type { Context } from '../platform/context.js';
import { metaOf } from '../platform/http/authenticate.js';
import { hostsCsv } from '../hotline/notifications/hosts-csv.js';
import { pageContext } from './page-context.js';
import { PortalPage } from './pages/portal.js';
import { sendPage } from './render.js';

const SHOWN = 500;

export async function portalRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  // Portal pages must not leak their token to other sites, nor be cached anywhere.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  });

  app.get<{ Params: { token: string }; Querystring: { thanks?: string } }>('/portal/:token', async (request, reply) => {
    const view = await openPortal(ctx, request.params.token, metaOf(request), SHOWN);
    const pc = pageContext(ctx, request, reply, view.language);
    return sendPage(reply, <PortalPage pc={pc} view={view} hosts={view.hosts} token={request.params.token} thanks={request.query.thanks === '1'} />);
  });

  app.get<{ Params: { token: string } }>('/portal/:token/hosts.csv', async (request, reply) => {
    const { caseId, hosts } = await portalDownload(ctx, request.params.token, metaOf(request), 'csv');
    const extra = [...new Set(hosts.flatMap((h) => Object.keys(h.extra ?? {})))];
    const csv = hostsCsv(hosts.map((h) => ({ ip: h.ip, port: h.port, seenAt: h.timestamp, asn: h.asn, extra: h.extra })), extra);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${caseId}-hosts.csv"`).send(csv);
  });

  app.get<{ Params: { token: string } }>('/portal/:token/hosts.json', async (request, reply) => {
    const d = await portalDownload(ctx, request.params.token, metaOf(request), 'json');
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${d.caseId}-hosts.json"`)
      .send({ case: d.caseId, recipient: d.recipient, round: d.round, hosts: d.hosts });
  });

  app.post<{ Params: { token: string }; Body: Record<string, string | undefined> }>('/portal/:token/feedback', { config: { csrf: true } }, async (request, reply) => {
    await portalFeedback(ctx, request.params.token, request.body?.kind ?? '', request.body?.comment ?? null, metaOf(request));
    return reply.redirect(`/portal/${request.params.token}?thanks=1`, 303);
  });
}
