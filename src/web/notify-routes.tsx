/** The handler's page for notifying the operators of a case: preview, start, delivery status, answers, templates. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caseRow } from '../hotline/cases/cases.js';
import type { Tlp } from '../hotline/notifications/default-templates.js';
import { caseRounds, caseTemplates, previewRound, saveCaseTemplate, startRound, TLPS, type RoundOptions, type RoundPlan } from '../hotline/notifications/rounds.js';
import type { Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { languageOf, pageContext } from './page-context.js';
import { NotifyPage, type NotifyPageProps } from './pages/notify.js';
import { sendPage } from './render.js';

type Form = Record<string, string | undefined>;

/** The round the form asks for; without a choice, a follow-up once a first round was sent. */
function roundOptions(q: Form, notifiedBefore = false): RoundOptions {
  const tlp = (q.tlp ?? 'AMBER').toUpperCase();
  const kind = q.kind === 'followup' || q.kind === 'first' ? q.kind : notifiedBefore ? 'followup' : 'first';
  return { kind, tlp: (TLPS as readonly string[]).includes(tlp) ? (tlp as Tlp) : 'AMBER' };
}

export async function notifyRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const needs = (permission: 'cases:read' | 'cases:manage') => async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, permission);
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, id: string, options: RoundOptions, extra: Partial<NotifyPageProps>, status = 200) => {
    const row = await caseRow(ctx.db.kysely, id);
    let plan: RoundPlan | null = null;
    let planError: string | undefined;
    try {
      plan = await previewRound(ctx, row.case_id, options);
    } catch (err) {
      if (!(err instanceof BakenError) || (err.kind !== 'invalid' && err.kind !== 'conflict')) throw err;
      planError = err.messageIn(languageOf(ctx, request));
    }
    const [rounds, templates] = await Promise.all([caseRounds(ctx, row.case_id), caseTemplates(ctx.db.kysely, row.id)]);
    const pc = pageContext(ctx, request, reply);
    return sendPage(reply, <NotifyPage pc={pc} caseId={row.case_id} plan={plan} {...(planError ? { planError } : {})} rounds={rounds} templates={templates} {...extra} />, status);
  };

  app.get<{ Params: { id: string }; Querystring: Form }>('/cases/:id/notify', { preValidation: needs('cases:manage') }, async (request, reply) => {
    const q = request.query;
    const pc = pageContext(ctx, request, reply);
    const extra = q.started ? { message: pc.t('notify.started', { round: q.started, messages: q.messages ?? '0' }) } : {};
    const row = await caseRow(ctx.db.kysely, request.params.id);
    const notifiedBefore = Boolean(await ctx.db.kysely.selectFrom('notification_rounds').select('id').where('case_id', '=', row.id).executeTakeFirst());
    return render(request, reply, request.params.id, roundOptions(q, notifiedBefore), extra);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/cases/:id/notify', { preValidation: needs('cases:manage') }, async (request, reply) => {
    const options = roundOptions(request.body ?? {});
    try {
      const r = await startRound(ctx, request.caller, request.params.id, options);
      return reply.redirect(`/cases/${encodeURIComponent(request.params.id)}/notify?started=${r.number}&messages=${r.messages}`, 303);
    } catch (err) {
      if (!(err instanceof BakenError) || (err.kind !== 'invalid' && err.kind !== 'conflict')) throw err;
      return render(request, reply, request.params.id, options, { error: err.messageIn(languageOf(ctx, request)) }, 409);
    }
  });

  app.post<{ Params: { id: string; lang: string }; Body: Form }>('/cases/:id/notify/template/:lang', { preValidation: needs('cases:manage') }, async (request, reply) => {
    const lang = request.params.lang === 'nl' ? 'nl' : 'en';
    await saveCaseTemplate(ctx, request.caller, request.params.id, lang, { subject: request.body?.subject ?? '', body: request.body?.body ?? '' });
    return reply.redirect(`/cases/${encodeURIComponent(request.params.id)}/notify`, 303);
  });
}
