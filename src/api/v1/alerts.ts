/**
 * /api/v1/alerts: members read the alerts the TLP policy lets them see and acknowledge them; analysts and admins
 * (alerts:manage) compose, preview, publish, update and retract, and see delivery per member. An alert a caller
 * may not see answers 404, never 403, so that its existence does not leak.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { can } from '../../accounts/policies.js';
import {
  acknowledgeAlert,
  ALERT_STATES,
  alertDeliveries,
  AUDIENCE_KINDS,
  createAlert,
  getAlert,
  listAlerts,
  previewAlert,
  publishAlert,
  readAlert,
  retractAlert,
  updateAlert,
  type AlertPatch,
  type AlertState,
} from '../../hub/alerts/index.js';
import { TLP_LEVELS, viewerOf } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import { requirePermission, requireSignedIn } from '../../platform/http/authenticate.js';
import { presentAlert, presentAlertDelivery, presentAlertListItem, presentAlertPreview } from '../alert-presenters.js';
import { IndicatorSchema } from './indicator-schemas.js';
import { errors, IdParams, Nullable, SectorCode, Timestamp } from './schemas.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Tlp = lit(TLP_LEVELS);
const Severity = lit(['low', 'medium', 'high', 'critical'] as const);
const State = lit(ALERT_STATES);
const AudienceIn = Type.Object(
  { kind: lit(AUDIENCE_KINDS), sectors: Type.Optional(Type.Array(SectorCode, { maxItems: 50 })), organisation_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10000 })) },
  { additionalProperties: false },
);
const alertFields = {
  title: Type.String({ maxLength: 300 }),
  severity: Severity,
  summary: Type.String({ maxLength: 100_000, description: 'Markdown' }),
  tlp: Type.String({ maxLength: 20, description: 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP: prefix allowed)' }),
  analysis_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  audience: AudienceIn,
  named_user_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000, description: 'TLP:RED: the people who receive it' })),
  indicator_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 })),
};
const AlertCreate = Type.Object(alertFields, { additionalProperties: false });
const AlertPatchSchema = Type.Partial(Type.Object({ ...alertFields, note: Type.String({ maxLength: 2000, description: 'What changed (published alerts)' }) }), { additionalProperties: false });
const AlertSchema = Type.Object({
  id: Type.Integer(),
  state: State,
  version: Type.Integer(),
  title: Type.String(),
  severity: Severity,
  tlp: Tlp,
  summary: Type.String(),
  summary_html: Type.String(),
  analysis_id: Nullable(Type.Integer()),
  audience: Type.Object({ kind: lit(AUDIENCE_KINDS), sectors: Type.Array(Type.String()), organisation_ids: Type.Array(Type.Integer()), named_user_ids: Type.Array(Type.Integer()) }),
  indicators: Type.Array(IndicatorSchema),
  published_at: Nullable(Timestamp),
  updated_at: Timestamp,
  retracted_at: Nullable(Timestamp),
  retract_reason: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  recipient: Nullable(Type.Object({ acknowledged_at: Nullable(Timestamp), acknowledged_by: Nullable(Type.String()) })),
});
const AlertListItemSchema = Type.Object({
  id: Type.Integer(),
  state: State,
  version: Type.Integer(),
  title: Type.String(),
  severity: Severity,
  tlp: Tlp,
  audience_kind: lit(AUDIENCE_KINDS),
  published_at: Nullable(Timestamp),
  updated_at: Timestamp,
  recipient: Nullable(Type.Object({ acknowledged_at: Nullable(Timestamp) })),
});
const PreviewSchema = Type.Object({
  tlp: Tlp,
  recipients: Type.Array(
    Type.Object({
      organisation_id: Type.Integer(),
      name: Type.String(),
      sector: Nullable(Type.String()),
      addressed: lit(['by-name', 'broadcast'] as const),
      contacts: Type.Array(Type.Object({ email: Type.String(), language: lit(['en', 'nl'] as const) })),
      webhook_url: Nullable(Type.String()),
      delivery: lit(['immediate', 'digest'] as const),
      indicators: Type.Integer(),
    }),
  ),
  excluded: Type.Array(Type.Object({ organisation_id: Type.Integer(), name: Type.String(), reason: lit(['tlp', 'preferences'] as const) })),
  people: Type.Array(Type.Object({ user_id: Type.Integer(), email: Type.String(), name: Nullable(Type.String()), organisation_id: Type.Integer(), language: lit(['en', 'nl'] as const), indicators: Type.Integer() })),
  totals: Type.Object({ organisations: Type.Integer(), emails: Type.Integer(), webhooks: Type.Integer() }),
  flagged: Type.Array(Type.Object({ indicator_id: Type.Integer(), type: Type.String(), value: Type.String(), lists: Type.Array(Type.String()) }), { description: 'Indicators on a MISP warninglist (known false positives): publishing needs confirm_flagged' }),
});
const DeliverySchema = Type.Object({
  organisation_id: Type.Integer(),
  name: Type.String(),
  acknowledged_at: Nullable(Timestamp),
  acknowledged_by: Nullable(Type.String()),
  messages: Type.Array(Type.Object({ channel: lit(['email', 'webhook'] as const), destination: Type.String(), status: Type.String(), attempts: Type.Integer(), last_error: Nullable(Type.String()), sent_at: Nullable(Timestamp) })),
});

function toInput(b: Partial<Static<typeof AlertCreate>> & { note?: string }): AlertPatch {
  return {
    ...(b.title !== undefined ? { title: b.title } : {}),
    ...(b.severity !== undefined ? { severity: b.severity } : {}),
    ...(b.summary !== undefined ? { summary: b.summary } : {}),
    ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
    ...(b.analysis_id !== undefined ? { analysisId: b.analysis_id } : {}),
    ...(b.audience !== undefined ? { audience: { kind: b.audience.kind, sectors: b.audience.sectors ?? [], organisationIds: b.audience.organisation_ids ?? [] } } : {}),
    ...(b.named_user_ids !== undefined ? { namedUserIds: b.named_user_ids } : {}),
    ...(b.indicator_ids !== undefined ? { indicatorIds: b.indicator_ids } : {}),
    ...(b.note !== undefined ? { note: b.note } : {}),
  };
}

export async function alertRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const manage = requirePermission('alerts:manage');
  const tags = ['alerts'];
  const staff = (actor: Parameters<typeof can>[0]) => can(actor, 'alerts:manage');

  app.get(
    '/alerts',
    {
      preValidation: requireSignedIn,
      schema: {
        tags,
        summary: 'The alerts the caller may read under TLP, newest first (members: published and retracted; for a member, those it has not acknowledged first with unacknowledged_first=true)',
        querystring: Type.Object({ state: Type.Optional(State), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), unacknowledged_first: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Array(AlertListItemSchema), ...errors(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const list = await listAlerts(ctx, viewerOf(request.caller.actor), { ...(q.state ? { state: q.state as AlertState } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.unacknowledged_first ? { unacknowledgedFirst: true } : {}) });
      return list.map(presentAlertListItem);
    },
  );

  app.post(
    '/alerts',
    { preValidation: manage, schema: { tags, summary: 'Compose an alert (a draft; nothing is sent)', body: AlertCreate, response: { 201: AlertSchema, ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      const alert = await createAlert(ctx, request.caller, toInput(request.body) as Parameters<typeof createAlert>[2]);
      return reply.status(201).send(presentAlert(alert, { staff: true }));
    },
  );

  app.get(
    '/alerts/:id',
    { preValidation: requireSignedIn, schema: { tags, summary: 'An alert, with the indicators the caller may see (404 when it may not see it)', params: IdParams, response: { 200: AlertSchema, ...errors(401, 404) } } },
    async (request) => presentAlert(await readAlert(ctx, viewerOf(request.caller.actor), request.params.id), { staff: staff(request.caller.actor) }),
  );

  app.patch(
    '/alerts/:id',
    {
      preValidation: manage,
      schema: { tags, summary: 'Change a draft, or update a published alert (a new version, sent to the same recipients as alert.updated)', params: IdParams, body: AlertPatchSchema, response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => presentAlert(await updateAlert(ctx, request.caller, request.params.id, toInput(request.body)), { staff: true }),
  );

  app.get(
    '/alerts/:id/preview',
    { preValidation: manage, schema: { tags, summary: 'Who would receive the alert now (for a published alert: who received it); sends nothing', params: IdParams, response: { 200: PreviewSchema, ...errors(401, 403, 404) } } },
    async (request) => presentAlertPreview(await previewAlert(ctx, request.params.id)),
  );

  app.post(
    '/alerts/:id/publish',
    { preValidation: manage, schema: { tags, summary: 'Publish a draft: email to every alert contact, a signed webhook call per member, in one transaction. Indicators on a MISP warninglist refuse it (409) unless confirm_flagged=true', params: IdParams, querystring: Type.Object({ confirm_flagged: Type.Optional(Type.Boolean({ description: 'Publish also the indicators on a warninglist (listed in the preview)' })) }), response: { 200: Type.Object({ alert: AlertSchema, preview: PreviewSchema }), ...errors(400, 401, 403, 404, 409) } } },
    async (request) => {
      const r = await publishAlert(ctx, request.caller, request.params.id, { confirmFlagged: request.query.confirm_flagged === true });
      return { alert: presentAlert(r.alert, { staff: true }), preview: presentAlertPreview(r.preview) };
    },
  );

  app.post(
    '/alerts/:id/retract',
    {
      preValidation: manage,
      schema: { tags, summary: 'Retract a published alert; its recipients are told the same ways (alert.retracted)', params: IdParams, body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })), response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) } },
    },
    async (request) => presentAlert(await retractAlert(ctx, request.caller, request.params.id, request.body?.reason ?? null), { staff: true }),
  );

  app.post(
    '/alerts/:id/ack',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Acknowledge an alert for the caller’s member organisation (again: answers the first acknowledgement)', params: IdParams, response: { 200: Type.Object({ acknowledged_at: Timestamp, acknowledged_by: Nullable(Type.String()) }), ...errors(401, 404, 409) } } },
    async (request) => {
      const r = await acknowledgeAlert(ctx, request.caller, viewerOf(request.caller.actor), request.params.id);
      return { acknowledged_at: r.acknowledgedAt, acknowledged_by: r.acknowledgedBy };
    },
  );

  app.get(
    '/alerts/:id/deliveries',
    { preValidation: manage, schema: { tags, summary: 'Per recipient organisation: acknowledgement and the status of every email and webhook call', params: IdParams, response: { 200: Type.Array(DeliverySchema), ...errors(401, 403, 404) } } },
    async (request) => {
      await getAlert(ctx, request.params.id);
      return (await alertDeliveries(ctx, request.params.id)).map(presentAlertDelivery);
    },
  );
}
