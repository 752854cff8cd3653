/**
 * /api/v1/members: member organisations' alert contacts, webhook, preferences, API keys and delivery history, the
 * same as the member profile page offers (docs/hub-members.md). The coordinator's staff
 * read every member (members:read) and its admin changes any (members:manage); a member organisation's own
 * users and keys read its profile, and its member admins change it (canReadMember, canManageMember).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { canManageMember, canReadMember } from '../../accounts/policies.js';
import {
  addContact,
  clearWebhook,
  createMemberKey,
  DELIVERY_MODES,
  getMemberProfile,
  listMemberKeys,
  listMembers,
  memberDeliveryHistory,
  removeContact,
  revokeMemberKey,
  rotateWebhookSecret,
  setContactLanguage,
  setOrgAdmin,
  setPreferences,
  setWebhook,
  testWebhook,
} from '../../hub/members/index.js';
import { TLP_LEVELS } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import { requirePermission, requireSignedIn } from '../../platform/http/authenticate.js';
import { BakenError } from '../../platform/errors.js';
import { presentContact, presentDeliveryHistory, presentMemberProfile, presentMemberSummary, presentPreferences, presentWebhook } from '../member-presenters.js';
import { presentApiKey } from '../presenters.js';
import { ApiKey, errors, IdParams, Language, Nullable, Organisation, SectorCode, Timestamp } from './schemas.js';

const Tlp = Type.Union(TLP_LEVELS.map((l) => Type.Literal(l)));
const Delivery = Type.Union(DELIVERY_MODES.map((l) => Type.Literal(l)));
const Preferences = Type.Object({ tlp_levels: Type.Array(Tlp), sectors: Nullable(Type.Array(Type.String())), delivery: Delivery });
const PreferencesPatch = Type.Object(
  { tlp_levels: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10 })), sectors: Type.Optional(Nullable(Type.Array(SectorCode, { maxItems: 50 }))), delivery: Type.Optional(Delivery) },
  { additionalProperties: false },
);
const Contact = Type.Object({ id: Type.Integer(), email: Type.String(), language: Language, created_at: Timestamp });
const ContactCreate = Type.Object({ email: Type.String({ maxLength: 254 }), language: Type.Optional(Language) }, { additionalProperties: false });
const Webhook = Type.Object({ url: Type.String(), secret_hint: Type.String(), set_at: Timestamp, rotated_at: Nullable(Timestamp) });
const WebhookResult = Type.Object({
  webhook: Webhook,
  secret: Nullable(Type.String({ description: 'The whole secret: shown once, when it is made (first webhook, rotation); null otherwise' })),
});
const Profile = Type.Object({
  organisation: Organisation,
  contacts: Type.Array(Contact),
  webhook: Nullable(Webhook),
  preferences: Preferences,
  admins: Type.Array(Type.Object({ id: Type.Integer(), email: Type.String(), name: Nullable(Type.String()) })),
});
const Summary = Type.Object({ organisation: Organisation, contacts: Type.Integer(), has_webhook: Type.Boolean(), admins: Type.Integer(), preferences: Preferences });
const ContactParams = Type.Object({ id: Type.Integer({ minimum: 1 }), contactId: Type.Integer({ minimum: 1 }) });
const AdminParams = Type.Object({ id: Type.Integer({ minimum: 1 }), userId: Type.Integer({ minimum: 1 }) });
const KeyParams = Type.Object({ id: Type.Integer({ minimum: 1 }), keyId: Type.Integer({ minimum: 1 }) });
const MemberKeyCreate = Type.Object(
  {
    label: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    expires: Type.Optional(Nullable(Type.String({ description: 'YYYY-MM-DD (end of that day, UTC) or an ISO timestamp' }))),
  },
  { additionalProperties: false },
);
const DeliveryMessage = Type.Object({
  channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
  topic: Type.String(),
  destination: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
  sent_at: Nullable(Timestamp),
});
const DeliveryHistory = Type.Object({
  alerts: Type.Array(
    Type.Object({
      alert: Type.Object({ id: Type.Integer(), title: Type.String(), tlp: Type.String(), state: Type.String() }),
      added_at: Timestamp,
      acknowledged_at: Nullable(Timestamp),
      acknowledged_by: Nullable(Type.String()),
      messages: Type.Array(DeliveryMessage, { description: 'Emails and webhook calls about this alert for this organisation, its sightings’ too' }),
    }),
  ),
  digests: Type.Array(Type.Object({ day: Type.String(), items: Type.Integer(), created_at: Timestamp, messages: Type.Array(DeliveryMessage) })),
});

function assertRead(request: FastifyRequest, organisationId: number): void {
  if (!canReadMember(request.caller.actor, organisationId)) throw new BakenError('FORBIDDEN');
}

function assertManage(request: FastifyRequest, organisationId: number): void {
  if (!canManageMember(request.caller.actor, organisationId)) throw new BakenError('FORBIDDEN');
}

export async function memberRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['members'];

  app.get(
    '/members',
    {
      preValidation: requirePermission('members:read'),
      schema: { tags, summary: 'Every member organisation with its contacts, webhook and preferences in brief', querystring: Type.Object({ sector: Type.Optional(SectorCode) }), response: { 200: Type.Array(Summary), ...errors(400, 401, 403) } },
    },
    async (request) => (await listMembers(ctx, request.query)).map(presentMemberSummary),
  );

  app.get(
    '/members/:id',
    { preValidation: requireSignedIn, schema: { tags, summary: 'A member organisation’s profile (own organisation, or staff)', params: IdParams, response: { 200: Profile, ...errors(401, 403, 404) } } },
    async (request) => {
      assertRead(request, request.params.id);
      return presentMemberProfile(await getMemberProfile(ctx, request.params.id));
    },
  );

  app.post(
    '/members/:id/contacts',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Add an alert contact', params: IdParams, body: ContactCreate, response: { 201: Contact, ...errors(400, 401, 403, 404, 409) } } },
    async (request, reply) => {
      assertManage(request, request.params.id);
      return reply.status(201).send(presentContact(await addContact(ctx, request.caller, request.params.id, request.body)));
    },
  );

  app.delete(
    '/members/:id/contacts/:contactId',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Remove an alert contact', params: ContactParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
    async (request, reply) => {
      assertManage(request, request.params.id);
      await removeContact(ctx, request.caller, request.params.id, request.params.contactId);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/members/:id/contacts/:contactId',
    {
      preValidation: requireSignedIn,
      schema: { tags, summary: 'Change the language an alert contact’s emails are written in', params: ContactParams, body: Type.Object({ language: Language }, { additionalProperties: false }), response: { 200: Contact, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      assertManage(request, request.params.id);
      return presentContact(await setContactLanguage(ctx, request.caller, request.params.id, request.params.contactId, request.body.language));
    },
  );

  app.put(
    '/members/:id/webhook',
    {
      preValidation: requireSignedIn,
      schema: { tags, summary: 'Set the webhook URL (a first webhook gets a secret, shown once)', params: IdParams, body: Type.Object({ url: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }), response: { 200: WebhookResult, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      assertManage(request, request.params.id);
      const r = await setWebhook(ctx, request.caller, request.params.id, request.body.url);
      return { webhook: presentWebhook(r.webhook), secret: r.secret };
    },
  );

  app.post(
    '/members/:id/webhook/rotate',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Make a new webhook secret, shown once', params: IdParams, response: { 200: WebhookResult, ...errors(401, 403, 404, 409) } } },
    async (request) => {
      assertManage(request, request.params.id);
      const r = await rotateWebhookSecret(ctx, request.caller, request.params.id);
      return { webhook: presentWebhook(r.webhook), secret: r.secret };
    },
  );

  app.post(
    '/members/:id/webhook/test',
    {
      preValidation: requireSignedIn,
      schema: { tags, summary: 'Queue a signed `ping` call to the webhook; its result shows in the delivery history and the member list', params: IdParams, response: { 202: Type.Object({ delivery_id: Type.String() }), ...errors(401, 403, 404, 409) } },
    },
    async (request, reply) => {
      assertManage(request, request.params.id);
      const r = await testWebhook(ctx, request.caller, request.params.id);
      return reply.status(202).send({ delivery_id: r.deliveryId });
    },
  );

  app.delete(
    '/members/:id/webhook',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Remove the webhook', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404, 409) } } },
    async (request, reply) => {
      assertManage(request, request.params.id);
      await clearWebhook(ctx, request.caller, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/members/:id/preferences',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Which alerts the organisation wants, and how', params: IdParams, body: PreferencesPatch, response: { 200: Preferences, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      assertManage(request, request.params.id);
      const b = request.body;
      return presentPreferences(await setPreferences(ctx, request.caller, request.params.id, { ...(b.tlp_levels ? { tlpLevels: b.tlp_levels } : {}), ...(b.sectors !== undefined ? { sectors: b.sectors } : {}), ...(b.delivery ? { delivery: b.delivery } : {}) }));
    },
  );

  app.get(
    '/members/:id/deliveries',
    { preValidation: requireSignedIn, schema: { tags, summary: 'The latest alerts the organisation received, with acknowledgement and every email and webhook call’s status; its daily digests', params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }), response: { 200: DeliveryHistory, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      assertRead(request, request.params.id);
      return presentDeliveryHistory(await memberDeliveryHistory(ctx, request.params.id, request.query.limit));
    },
  );

  // The organisation's own keys (SIEM, sensors, TAXII clients): always the member role, managed by its member admins.
  app.get(
    '/members/:id/keys',
    { preValidation: requireSignedIn, schema: { tags, summary: 'The organisation’s API keys (never the secrets)', params: IdParams, response: { 200: Type.Array(ApiKey), ...errors(401, 403, 404) } } },
    async (request) => {
      assertManage(request, request.params.id);
      const now = ctx.clock.now();
      return (await listMemberKeys(ctx, request.params.id)).map((k) => presentApiKey(k, now));
    },
  );

  app.post(
    '/members/:id/keys',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Make an API key with the member role; the key is in this response and nowhere else, ever', params: IdParams, body: MemberKeyCreate, response: { 201: Type.Object({ api_key: ApiKey, key: Type.String() }), ...errors(400, 401, 403, 404) } } },
    async (request, reply) => {
      assertManage(request, request.params.id);
      const { apiKey, secret } = await createMemberKey(ctx, request.caller, request.params.id, { label: request.body.label ?? null, expires: request.body.expires ?? null });
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ api_key: presentApiKey(apiKey, ctx.clock.now()), key: secret });
    },
  );

  app.delete(
    '/members/:id/keys/:keyId',
    { preValidation: requireSignedIn, schema: { tags, summary: 'Revoke one of the organisation’s API keys', params: KeyParams, response: { 200: ApiKey, ...errors(401, 403, 404) } } },
    async (request) => {
      assertManage(request, request.params.id);
      return presentApiKey(await revokeMemberKey(ctx, request.caller, request.params.id, request.params.keyId), ctx.clock.now());
    },
  );

  // Who administers a member organisation is the coordinator's decision, not the member's own.
  for (const [method, on] of [['PUT', true], ['DELETE', false]] as const) {
    app.route({
      method,
      url: '/members/:id/admins/:userId',
      preValidation: requirePermission('members:manage'),
      schema: { tags, summary: on ? 'Make a member user an admin of its organisation' : 'Take a member user’s admin rights away', params: AdminParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } },
      handler: async (request, reply) => {
        const { id, userId } = request.params as { id: number; userId: number };
        const user = await ctx.db.kysely.selectFrom('users').select('organisation_id').where('id', '=', userId).executeTakeFirst();
        if (!user || user.organisation_id !== id) throw new BakenError('USER_NOT_FOUND', { detail: `no user ${userId} in organisation ${id}` });
        await setOrgAdmin(ctx, request.caller, userId, on);
        return reply.status(204).send(null);
      },
    });
  }
}
