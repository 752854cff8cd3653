/** The error page people see; machines get the JSON body instead (see platform/http/error-handler.ts). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../platform/context.js';
import type { BakenError } from '../platform/errors.js';
import { Layout, Notice } from './layout.js';
import { pageContext } from './page-context.js';
import { sendPage } from './render.js';

export function renderErrorPage(ctx: Context, request: FastifyRequest, reply: FastifyReply, err: BakenError, status: number) {
  // People who are not signed in are sent to the login page and brought back afterwards.
  if (status === 401 && request.method === 'GET') {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  }
  const pc = pageContext(ctx, request, reply);
  return sendPage(
    reply,
    <Layout pc={pc} title={pc.t('error.title')}>
      <h1>{pc.t('error.title')}</h1>
      <Notice kind="error">
        {err.messageIn(pc.lang)} <span class="muted mono">({err.code})</span>
      </Notice>
      <p>
        <a href="/">{pc.t('error.back')}</a>
      </p>
    </Layout>,
    status,
  );
}
