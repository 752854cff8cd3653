/**
 * Member pages; thin, like the API's routes (src/api/v1/members.ts), with the same policies: canReadMember to see a
 * profile, canManageMember to change it (its member admins, the coordinator's admin). Staff with members:read list
 * every member and see the delivery history. Forms redirect on success; a refused form shows the page again with the
 * message next to its section and field. Secrets (a webhook's, a new key) are shown on the response that made them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, canManageMember, canReadMember } from '../accounts/policies.js';
import {
  addContact,
  clearWebhook,
  createMemberKey,
  getMemberProfile,
  listMemberKeys,
  listMembers,
  memberActivity,
  memberDeliveryHistory,
  removeContact,
  revokeMemberKey,
  rotateWebhookSecret,
  setContactLanguage,
  setPreferences,
  setWebhook,
  testWebhook,
} from '../hub/members/index.js';
import { isSector } from '../accounts/sectors.js';
import type { Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { languageOf, pageContext } from './page-context.js';
import { MemberPage, MembersPage, type MemberFormError, type MemberPageProps, type MemberSection } from './pages/members.js';
import { sendPage } from './render.js';

type Form = Record<string, string | string[] | undefined>;

const idOf = (s: string) => (/^\d{1,12}$/.test(s) ? Number(s) : 0);
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const DONE = {
  contact: 'mem.done.contact',
  removed: 'mem.done.removed',
  language: 'mem.done.language',
  webhook: 'mem.done.webhook',
  cleared: 'mem.done.cleared',
  tested: 'mem.done.tested',
  preferences: 'mem.done.preferences',
  revoked: 'keys.revoked',
} as const;

export async function memberWebRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const session = async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
  };
  const read = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    if (!canReadMember(request.caller.actor, idOf(request.params.id))) throw new BakenError('FORBIDDEN');
  };
  const manage = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    if (!canManageMember(request.caller.actor, idOf(request.params.id))) throw new BakenError('FORBIDDEN');
  };

  const memberPage = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Partial<MemberPageProps> = {}, status = 200) => {
    const actor = request.caller.actor;
    const staff = can(actor, 'members:read');
    const [profile, keys, activity, history] = await Promise.all([
      getMemberProfile(ctx, id),
      listMemberKeys(ctx, id),
      memberActivity(ctx.db.kysely, [id]),
      staff ? memberDeliveryHistory(ctx, id) : Promise.resolve(undefined),
    ]);
    const props: MemberPageProps = { pc: pageContext(ctx, request, reply), profile, keys, activity: activity.get(id) ?? null, now: ctx.clock.now(), canManage: canManageMember(actor, id), digestHour: ctx.config.digestHour, ...extra };
    if (history) props.history = history;
    return sendPage(reply, <MemberPage {...props} />, status);
  };

  /** A refused form: shown again with its values; anything but a domain refusal goes to the error handler. */
  const refused = (request: FastifyRequest, reply: FastifyReply, id: number, section: MemberSection, err: unknown, values: Form) => {
    if (!(err instanceof BakenError) || !['invalid', 'conflict', 'not_found'].includes(err.kind) || err.code === 'BAKEN_E_NOT_A_MEMBER') throw err;
    const error: MemberFormError = { section, message: err.messageIn(languageOf(ctx, request)), problems: err.problems };
    return memberPage(request, reply, id, { error, values }, err.kind === 'not_found' ? 404 : err.kind === 'conflict' ? 409 : 400);
  };
  const done = (reply: FastifyReply, id: number, what: keyof typeof DONE, anchor: MemberSection) => reply.redirect(`/members/${id}?done=${what}#${anchor}`, 303);

  app.get<{ Querystring: { sector?: string } }>('/members', { preValidation: session }, async (request, reply) => {
    assertPermission(request, 'members:read');
    const sector = request.query.sector && isSector(request.query.sector) ? request.query.sector : undefined;
    const members = await listMembers(ctx, sector ? { sector } : {});
    const activity = await memberActivity(ctx.db.kysely);
    return sendPage(reply, <MembersPage pc={pageContext(ctx, request, reply)} members={members} activity={activity} {...(sector ? { sector } : {})} />);
  });

  // "My organisation" in the navigation: a member's own profile; staff go to the list.
  app.get('/my-organisation', { preValidation: session }, async (request, reply) => {
    const actor = request.caller.actor;
    if (actor.kind === 'user' && actor.role === 'member') return reply.redirect(`/members/${actor.organisationId}`, 303);
    return reply.redirect(can(actor, 'members:read') ? '/members' : '/', 303);
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/members/:id', { preValidation: read }, async (request, reply) => {
    const key = request.query.done as keyof typeof DONE | undefined;
    const message = key && DONE[key] ? pageContext(ctx, request, reply).t(DONE[key]) : undefined;
    return memberPage(request, reply, idOf(request.params.id), message ? { message } : {});
  });

  app.post<{ Params: { id: string }; Body: Form }>('/members/:id/contacts', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    try {
      await addContact(ctx, request.caller, id, { email: str(b.email), language: str(b.language) || null });
      return done(reply, id, 'contact', 'contacts');
    } catch (err) {
      return refused(request, reply, id, 'contacts', err, b);
    }
  });

  app.post<{ Params: { id: string; contactId: string }; Body: Form }>('/members/:id/contacts/:contactId', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await setContactLanguage(ctx, request.caller, id, idOf(request.params.contactId), str(request.body?.language));
      return done(reply, id, 'language', 'contacts');
    } catch (err) {
      return refused(request, reply, id, 'contacts', err, {});
    }
  });

  app.post<{ Params: { id: string; contactId: string } }>('/members/:id/contacts/:contactId/remove', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await removeContact(ctx, request.caller, id, idOf(request.params.contactId) || -1);
      return done(reply, id, 'removed', 'contacts');
    } catch (err) {
      return refused(request, reply, id, 'contacts', err, {});
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/members/:id/webhook', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    try {
      const { secret } = await setWebhook(ctx, request.caller, id, str(b.url));
      // A first webhook's secret is shown on this response only, so no redirect then.
      if (secret) return memberPage(request, reply, id, { message: pageContext(ctx, request, reply).t('mem.done.webhook'), secret: { kind: 'webhook', value: secret } });
      return done(reply, id, 'webhook', 'webhook');
    } catch (err) {
      return refused(request, reply, id, 'webhook', err, b);
    }
  });

  app.post<{ Params: { id: string } }>('/members/:id/webhook/rotate', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      const { secret } = await rotateWebhookSecret(ctx, request.caller, id);
      return memberPage(request, reply, id, { message: pageContext(ctx, request, reply).t('mem.done.rotated'), secret: { kind: 'webhook', value: secret } });
    } catch (err) {
      return refused(request, reply, id, 'webhook', err, {});
    }
  });

  app.post<{ Params: { id: string } }>('/members/:id/webhook/test', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await testWebhook(ctx, request.caller, id);
      return done(reply, id, 'tested', 'webhook');
    } catch (err) {
      return refused(request, reply, id, 'webhook', err, {});
    }
  });

  app.post<{ Params: { id: string } }>('/members/:id/webhook/clear', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await clearWebhook(ctx, request.caller, id);
      return done(reply, id, 'cleared', 'webhook');
    } catch (err) {
      return refused(request, reply, id, 'webhook', err, {});
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/members/:id/preferences', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    try {
      // No sector ticked means every sector, as in the API (null).
      const sectors = list(b.sectors);
      await setPreferences(ctx, request.caller, id, { tlpLevels: list(b.tlp_levels), sectors: sectors.length > 0 ? sectors : null, delivery: str(b.delivery) || 'immediate' });
      return done(reply, id, 'preferences', 'preferences');
    } catch (err) {
      return refused(request, reply, id, 'preferences', err, { ...b, tlp_levels: list(b.tlp_levels) });
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/members/:id/keys', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    try {
      const { secret } = await createMemberKey(ctx, request.caller, id, { label: str(b.label) || null, expires: str(b.expires) || null });
      return memberPage(request, reply, id, { secret: { kind: 'key', value: secret } }, 201);
    } catch (err) {
      return refused(request, reply, id, 'keys', err, b);
    }
  });

  app.post<{ Params: { id: string; keyId: string } }>('/members/:id/keys/:keyId/revoke', { preValidation: manage }, async (request, reply) => {
    const id = idOf(request.params.id);
    try {
      await revokeMemberKey(ctx, request.caller, id, idOf(request.params.keyId) || -1);
      return done(reply, id, 'revoked', 'keys');
    } catch (err) {
      return refused(request, reply, id, 'keys', err, {});
    }
  });
}
