/** Alert pages; thin, like the API's routes. Members read and acknowledge; analysts compose, preview, publish, update, retract. */
import { formError } from './form-error.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findOrganisation } from '../accounts/organisations.js';
import { can } from '../accounts/policies.js';
import { findUser } from '../accounts/users.js';
import {
  acknowledgeAlert,
  alertDeliveries,
  alertVersions,
  createAlert,
  listAlerts,
  previewAlert,
  publishAlert,
  readAlert,
  retractAlert,
  updateAlert,
  type AlertInput,
  type AlertPatch,
} from '../hub/alerts/index.js';
import { relatedAlerts } from '../hub/correlation/indicator-links.js';
import { findIndicator, upsertIndicator } from '../hub/indicators/indicators.js';
import { alertSightings } from '../hub/sightings/alert-sightings.js';
import { reportSighting } from '../hub/sightings/sightings.js';
import { viewerOf } from '../hub/tlp.js';
import type { Caller, Context } from '../platform/context.js';
import { BakenError, invalid } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { languageOf, pageContext } from './page-context.js';
import { AlertPage, AlertsPage, type AlertValues } from './pages/alerts.js';
import { sendPage } from './render.js';
import { ALERT_LIVE_ETAG, ALERT_LIVE_SCRIPT } from './alert-live-script.js';

type Form = Record<string, string | string[] | undefined>;

const idOf = (s: string) => (/^\d{1,12}$/.test(s) ? Number(s) : 0);
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const lines = (v: string | string[] | undefined) => str(v).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');


function valuesOf(b: Form): AlertValues {
  const sectors = b.sectors === undefined ? [] : Array.isArray(b.sectors) ? b.sectors : [b.sectors];
  const v: AlertValues = { sectors };
  for (const k of ['title', 'severity', 'summary', 'tlp', 'analysis', 'indicators', 'audience', 'organisations', 'people', 'note'] as const) v[k] = str(b[k]);
  return v;
}

/** The form's text fields as the domain's input: values to indicator ids (unknown ones added), names to ids. */
async function inputOf(ctx: Context, by: Caller, v: AlertValues, full: boolean): Promise<AlertPatch> {
  const indicatorIds: number[] = [];
  for (const value of lines(v.indicators)) {
    const found = await findIndicator(ctx, value);
    indicatorIds.push(found ? found.id : (await upsertIndicator(ctx, by, { value, tlp: v.tlp || 'AMBER' })).indicator.id);
  }
  const analysis = (v.analysis ?? '').trim();
  if (analysis !== '' && !idOf(analysis)) throw invalid('analysis', 'an analysis number');
  const patch: AlertPatch = { title: v.title ?? '', severity: v.severity ?? '', summary: v.summary ?? '', indicatorIds, analysisId: analysis ? idOf(analysis) : null };
  if (v.note) patch.note = v.note;
  if (!full) return patch;
  const organisationIds: number[] = [];
  for (const ref of lines(v.organisations)) organisationIds.push((await findOrganisation(ctx, ref)).id);
  const namedUserIds: number[] = [];
  for (const ref of lines(v.people)) namedUserIds.push((await findUser(ctx, ref)).id);
  return { ...patch, tlp: v.tlp ?? '', audience: { kind: v.audience || 'all', sectors: v.sectors ?? [], organisationIds }, namedUserIds };
}

export async function alertWebRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const session = async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
  };
  const manage = async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, 'alerts:manage');
  };
  const canManage = (request: FastifyRequest) => can(request.caller.actor, 'alerts:manage');

  const listPage = async (request: FastifyRequest, extra: { error?: string; values?: AlertValues } = {}) => {
    const alerts = await listAlerts(ctx, viewerOf(request.caller.actor), { unacknowledgedFirst: true });
    return { alerts, canManage: canManage(request), ...extra };
  };

  const alertPage = async (request: FastifyRequest, id: number, extra: { message?: string; error?: string; values?: AlertValues } = {}) => {
    const viewer = viewerOf(request.caller.actor);
    const alert = await readAlert(ctx, viewer, id);
    // Other alerts sharing indicators, as far as this viewer may see them (readAlert gave only its visible indicators).
    const related = await relatedAlerts(ctx.db.kysely, viewer, id, alert.indicators);
    const sightings = alert.state === 'draft' ? null : await alertSightings(ctx, viewer, alert.indicators.map((i) => i.id));
    if (!canManage(request)) return { alert, related, canManage: false, canReport: can(request.caller.actor, 'sightings:report'), sightings, ...extra };
    const [preview, deliveries, versions] = await Promise.all([previewAlert(ctx, id), alertDeliveries(ctx, id), alertVersions(ctx, id)]);
    return { alert, related, canManage: true, preview, deliveries, versions, sightings, ...extra };
  };

  // The alert page's script (the CSP allows no inline script); public like the stylesheet: it holds nothing secret.
  app.get('/static/alert-live.js', async (request, reply) => {
    reply.header('etag', ALERT_LIVE_ETAG).header('cache-control', 'public, max-age=3600');
    if (request.headers['if-none-match'] === ALERT_LIVE_ETAG) return reply.status(304).send();
    return reply.type('text/javascript; charset=utf-8').send(ALERT_LIVE_SCRIPT);
  });

  app.get('/alerts', { preValidation: session }, async (request, reply) => sendPage(reply, <AlertsPage pc={pageContext(ctx, request, reply)} {...await listPage(request)} />));

  app.post<{ Body: Form }>('/alerts', { preValidation: manage }, async (request, reply) => {
    const values = valuesOf(request.body ?? {});
    try {
      const a = await createAlert(ctx, request.caller, (await inputOf(ctx, request.caller, values, true)) as AlertInput);
      return reply.redirect(`/alerts/${a.id}?done=saved`, 303);
    } catch (err) {
      return sendPage(reply, <AlertsPage pc={pageContext(ctx, request, reply)} {...await listPage(request, { error: formError(err, languageOf(ctx, request)), values })} />, 400);
    }
  });

  const DONE = { saved: 'al.saved', published: 'al.publishedNow', updated: 'al.updatedNow', retracted: 'al.retractedNow', acknowledged: 'al.ackedNow', sighted: 'si.reported' } as const;

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/alerts/:id', { preValidation: session }, async (request, reply) => {
    const pc = pageContext(ctx, request, reply);
    const done = request.query.done as keyof typeof DONE | undefined;
    return sendPage(reply, <AlertPage pc={pc} {...await alertPage(request, idOf(request.params.id), done && DONE[done] ? { message: pc.t(DONE[done]) } : {})} />);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/alerts/:id', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    const values = valuesOf(request.body ?? {});
    try {
      const current = await readAlert(ctx, viewerOf(request.caller.actor), id);
      await updateAlert(ctx, request.caller, id, await inputOf(ctx, request.caller, values, current.state === 'draft'));
      return reply.redirect(`/alerts/${id}?done=${current.state === 'draft' ? 'saved' : 'updated'}`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <AlertPage pc={pageContext(ctx, request, reply)} {...await alertPage(request, id, { error, values })} />, 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/alerts/:id/publish', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await publishAlert(ctx, request.caller, id, { confirmFlagged: request.body?.confirm_flagged === '1' });
      return reply.redirect(`/alerts/${id}?done=published`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <AlertPage pc={pageContext(ctx, request, reply)} {...await alertPage(request, id, { error })} />, 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/alerts/:id/retract', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await retractAlert(ctx, request.caller, id, str(request.body?.reason) || null);
      return reply.redirect(`/alerts/${id}?done=retracted`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <AlertPage pc={pageContext(ctx, request, reply)} {...await alertPage(request, id, { error })} />, 400);
    }
  });

  // "We see this": a member reports a sighting of one of the alert's indicators.
  app.post<{ Params: { id: string }; Body: Form }>('/alerts/:id/sightings', { preValidation: session }, async (request, reply) => {
    assertPermission(request, 'sightings:report');
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    const count = str(b.count).trim();
    try {
      await reportSighting(ctx, request.caller, viewerOf(request.caller.actor), { indicatorId: idOf(str(b.indicator)) || -1, alertId: id, count: count === '' ? 1 : /^\d{1,10}$/.test(count) ? Number(count) : -1, note: str(b.note) || null }, { shareName: str(b.share_name) === '1' });
      return reply.redirect(`/alerts/${id}?done=sighted`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <AlertPage pc={pageContext(ctx, request, reply)} {...await alertPage(request, id, { error })} />, 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/alerts/:id/ack', { preValidation: session }, async (request, reply) => {
    const id = idOf(request.params.id);
    await acknowledgeAlert(ctx, request.caller, viewerOf(request.caller.actor), id);
    // From the member dashboard's list, back to the dashboard.
    if (str(request.body?.next) === '/') return reply.redirect('/?done=acknowledged', 303);
    return reply.redirect(`/alerts/${id}?done=acknowledged`, 303);
  });
}
