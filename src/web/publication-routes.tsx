/** Public case pages, their index and Atom feed, the hall of fame; and the handler's publish form. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { caseRow } from '../hotline/cases/cases.js';
import { hallOfFame, listPublished, publicCase, publishCase, publishedAtom, unpublishCase } from '../hotline/publication/publication.js';
import type { Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { pageContext } from './page-context.js';
import { HallOfFamePage, PublicCasePage, PublishedIndexPage, PublishFormPage } from './pages/published.js';
import { sendPage } from './render.js';

type Form = Record<string, string | undefined>;

export async function publicationRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const manage = async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, 'cases:manage');
  };

  app.get('/published', async (request, reply) => sendPage(reply, <PublishedIndexPage pc={pageContext(ctx, request, reply)} items={await listPublished(ctx)} />));

  app.get('/published/feed.atom', async (_request, reply) => {
    const coordinator = await ctx.db.kysely.selectFrom('organisations').select('name').where('kind', '=', 'coordinator').executeTakeFirst();
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(await publishedAtom(ctx, `${coordinator?.name ?? 'Baken'}: published cases`));
  });

  app.get<{ Params: { caseId: string } }>('/published/:caseId', async (request, reply) =>
    sendPage(reply, <PublicCasePage pc={pageContext(ctx, request, reply)} c={await publicCase(ctx, request.params.caseId)} />),
  );

  app.get('/hall-of-fame', async (request, reply) => sendPage(reply, <HallOfFamePage pc={pageContext(ctx, request, reply)} entries={await hallOfFame(ctx)} />));

  const form = async (request: FastifyRequest, id: string) => {
    const row = await caseRow(ctx.db.kysely, id);
    const pub = await ctx.db.kysely.selectFrom('case_publications').selectAll().where('case_id', '=', row.id).executeTakeFirst();
    return { caseId: row.case_id, summary: pub?.summary ?? row.description, recommendations: pub?.recommendations ?? '', published: Boolean(pub) };
  };

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/cases/:id/publish', { preValidation: manage }, async (request, reply) => {
    const pc = pageContext(ctx, request, reply);
    return sendPage(reply, <PublishFormPage pc={pc} {...await form(request, request.params.id)} {...(request.query.saved ? { message: pc.t('pub.saved') } : {})} />);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/cases/:id/publish', { preValidation: manage }, async (request, reply) => {
    const b = request.body ?? {};
    try {
      await publishCase(ctx, request.caller, request.params.id, { summary: b.summary ?? '', recommendations: b.recommendations ?? '' });
      return reply.redirect(`/cases/${encodeURIComponent(request.params.id)}/publish?saved=1`, 303);
    } catch (err) {
      if (!(err instanceof BakenError) || (err.kind !== 'invalid' && err.kind !== 'conflict')) throw err;
      const current = await form(request, request.params.id);
      const pc = pageContext(ctx, request, reply);
      return sendPage(reply, <PublishFormPage pc={pc} {...current} summary={b.summary ?? ''} recommendations={b.recommendations ?? ''} error={err.messageIn(pc.lang)} />, 400);
    }
  });

  app.post<{ Params: { id: string } }>('/cases/:id/publish/withdraw', { preValidation: manage }, async (request, reply) => {
    await unpublishCase(ctx, request.caller, request.params.id);
    return reply.redirect(`/cases/${encodeURIComponent(request.params.id)}/publish`, 303);
  });
}
