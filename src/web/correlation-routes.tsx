/** Pages for coordinator staff: what the hub knows about a value, the overview of sightings, triage of observations. Thin, like the API's routes. */
import { formError } from './form-error.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type Permission } from '../accounts/policies.js';
import { correlateValue } from '../hub/correlation/correlate-value.js';
import { dismissObservation, listObservations, OBSERVATION_STATES, periodOf, promoteObservation, sightingOverview } from '../hub/sightings/index.js';
import { viewerOf } from '../hub/tlp.js';
import type { Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { languageOf, pageContext } from './page-context.js';
import { CorrelationPage } from './pages/correlation.js';
import { ObservationsPage, SightingsOverviewPage, type PeriodValues } from './pages/sightings-overview.js';
import { sendPage } from './render.js';

type Form = Record<string, string | undefined>;

const idOf = (s: string) => (/^\d{1,12}$/.test(s) ? Number(s) : 0);


export async function correlationWebRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const needs = (permission: Permission) => async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, permission);
  };

  app.get<{ Querystring: { q?: string; type?: string } }>('/hub/search', { preValidation: needs('indicators:read') }, async (request, reply) => {
    const q = (request.query.q ?? '').slice(0, 4096);
    const pc = pageContext(ctx, request, reply);
    const actor = request.caller.actor;
    const flags = { canOpenCases: can(actor, 'cases:read'), canOpenAnalyses: can(actor, 'analyses:manage') };
    if (q.trim() === '') return sendPage(reply, <CorrelationPage pc={pc} q="" {...flags} />);
    try {
      const result = await correlateValue(ctx, viewerOf(actor), q, { type: request.query.type ?? null });
      return sendPage(reply, <CorrelationPage pc={pc} q={q} result={result} {...flags} />);
    } catch (err) {
      return sendPage(reply, <CorrelationPage pc={pc} q={q} error={formError(err, languageOf(ctx, request))} {...flags} />, 400);
    }
  });

  app.get<{ Querystring: PeriodValues }>('/hub/sightings', { preValidation: needs('indicators:read') }, async (request, reply) => {
    const v = request.query;
    const values: PeriodValues = { ...(v.days ? { days: v.days.slice(0, 4) } : {}), ...(v.since ? { since: v.since.slice(0, 40) } : {}), ...(v.until ? { until: v.until.slice(0, 40) } : {}) };
    const pc = pageContext(ctx, request, reply);
    try {
      const period = periodOf(ctx.clock.now(), { days: values.days ?? null, since: values.since ?? null, until: values.until ?? null });
      return sendPage(reply, <SightingsOverviewPage pc={pc} values={values} overview={await sightingOverview(ctx, viewerOf(request.caller.actor), period)} />);
    } catch (err) {
      return sendPage(reply, <SightingsOverviewPage pc={pc} values={values} error={formError(err, languageOf(ctx, request))} />, 400);
    }
  });

  const DONE = { promoted: 'tri.promoted', promotedAlready: 'tri.promotedAlready', dismissed: 'tri.dismissed', dismissedAlready: 'tri.dismissedAlready' } as const;

  const listPage = async (request: FastifyRequest<{ Querystring: Form }>, extra: { message?: string; error?: string } = {}) => {
    const state = (OBSERVATION_STATES as readonly string[]).includes(request.query.state ?? '') ? request.query.state! : 'open';
    return { state, observations: await listObservations(ctx, { state }), canManage: can(request.caller.actor, 'indicators:manage'), ...extra };
  };

  app.get<{ Querystring: Form }>('/hub/observations', { preValidation: needs('indicators:read') }, async (request, reply) => {
    const pc = pageContext(ctx, request, reply);
    const done = request.query.done as keyof typeof DONE | undefined;
    const message = done && DONE[done] ? pc.t(DONE[done], { id: request.query.indicator ?? '', moved: request.query.moved ?? '0' }) : undefined;
    return sendPage(reply, <ObservationsPage pc={pc} {...await listPage(request, message ? { message } : {})} />);
  });

  app.post<{ Params: { id: string }; Body: Form; Querystring: Form }>('/hub/observations/:id/promote', { preValidation: needs('indicators:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    const confidence = (b.confidence ?? '').trim();
    try {
      const r = await promoteObservation(ctx, request.caller, idOf(request.params.id), { tlp: b.tlp ?? '', confidence: /^\d{1,3}$/.test(confidence) ? Number(confidence) : -1, type: b.type || null });
      const q = new URLSearchParams({ done: r.changed ? 'promoted' : 'promotedAlready', indicator: String(r.indicator.id), moved: String(r.moved) });
      return reply.redirect(`/hub/observations?${q.toString()}`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <ObservationsPage pc={pageContext(ctx, request, reply)} {...await listPage(request, { error })} />, 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Form; Querystring: Form }>('/hub/observations/:id/dismiss', { preValidation: needs('indicators:manage') }, async (request, reply) => {
    try {
      const r = await dismissObservation(ctx, request.caller, idOf(request.params.id), request.body?.reason ?? '');
      return reply.redirect(`/hub/observations?done=${r.changed ? 'dismissed' : 'dismissedAlready'}`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <ObservationsPage pc={pageContext(ctx, request, reply)} {...await listPage(request, { error })} />, err instanceof BakenError && err.kind === 'conflict' ? 409 : 400);
    }
  });
}
