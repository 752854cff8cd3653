/**
 * The web interface's routes: thin, like the API's. Forms post back to the page
 * they came from; on success they redirect (so a reload does not post twice),
 * on a domain error they show the page again with the message and the values.
 */
import { formError } from './form-error.js';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey } from '../accounts/api-keys.js';
import { createOrganisation, getOrganisation, listOrganisations, updateOrganisation } from '../accounts/organisations.js';
import { can } from '../accounts/policies.js';
import { login, logout } from '../accounts/sessions.js';
import { createUser, getUser, listUsers, setPassword, updateUser } from '../accounts/users.js';
import { listAudit } from '../platform/audit.js';
import type { Context } from '../platform/context.js';
import { assertPermission, metaOf, sessionCookieName, sessionCookieOptions } from '../platform/http/authenticate.js';
import { clearPreSession } from '../platform/http/csrf.js';
import { BakenError } from '../platform/errors.js';
import { LANGUAGE_COOKIE, languageOf, pageContext } from './page-context.js';
import { AboutPage } from './pages/about.js';
import { AuditPage } from './pages/audit.js';
import { HomePage } from './pages/home.js';
import { DashboardPage } from './pages/dashboard.js';
import { memberDashboard } from './member-dashboard.js';
import { KeysPage } from './pages/keys.js';
import { LoginPage } from './pages/login.js';
import { OrganisationPage, OrganisationsPage } from './pages/organisations.js';
import { UserPage, UsersPage } from './pages/users.js';
import { LookupPage } from './pages/lookup.js';
import { OperatorPage, OperatorsPage } from './pages/operators.js';
import { registryServices } from '../registry/registry-services.js';
import { createOperator, getOperator, importOperatorsCsv, listOperators, updateOperator, type OperatorInput } from '../registry/operators.js';
import { sendPage } from './render.js';
import { hotlineWebRoutes } from './hotline-routes.js';
import { STYLES } from './styles.js';

type Form = Record<string, string | undefined>;

/** Only paths on this site: no `//host` or `/\host` tricks. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}


function optionalInt(v: string | undefined): number | undefined {
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

const STYLES_ETAG = `"${createHash('sha256').update(STYLES).digest('base64url').slice(0, 16)}"`;

export async function webRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const page = (request: FastifyRequest, reply: FastifyReply) => pageContext(ctx, request, reply);
  const signedIn = async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
  };
  const needs = (permission: Parameters<typeof assertPermission>[1]) => async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, permission);
  };

  app.get('/static/baken.css', async (request, reply) => {
    reply.header('etag', STYLES_ETAG).header('cache-control', 'public, max-age=3600');
    if (request.headers['if-none-match'] === STYLES_ETAG) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(STYLES);
  });

  app.get<{ Params: { lang: string }; Querystring: { next?: string } }>('/language/:lang', async (request, reply) => {
    const lang = request.params.lang === 'nl' ? 'nl' : 'en';
    reply.setCookie(LANGUAGE_COOKIE, lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600, secure: sessionCookieOptions(ctx).secure });
    return reply.redirect(safeNext(request.query.next), 303);
  });

  app.get('/about', async (request, reply) => sendPage(reply, <AboutPage pc={page(request, reply)} />));

  // ---- login and logout

  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (request.session) return reply.redirect(safeNext(request.query.next), 303);
    return sendPage(reply, <LoginPage pc={page(request, reply)} next={safeNext(request.query.next)} />);
  });

  app.post<{ Body: Form }>('/login', { config: { csrf: true } }, async (request, reply) => {
    const { email = '', password = '', next } = request.body ?? {};
    try {
      const { token } = await login(ctx, email, password, metaOf(request));
      // A browser-session cookie: the server's sliding expiry decides how long a login lasts.
      reply.setCookie(sessionCookieName(ctx), token, sessionCookieOptions(ctx));
      clearPreSession(reply, ctx);
      return reply.redirect(safeNext(next), 303);
    } catch (err) {
      if (!(err instanceof BakenError) || (err.code !== 'BAKEN_E_BAD_CREDENTIALS' && err.code !== 'BAKEN_E_RATE_LIMITED')) throw err;
      const pc = page(request, reply);
      const limited = err.code === 'BAKEN_E_RATE_LIMITED';
      return sendPage(reply, <LoginPage pc={pc} email={email} next={safeNext(next)} error={pc.t(limited ? 'login.limited' : 'login.failed')} />, limited ? 429 : 401);
    }
  });

  app.post('/logout', async (request, reply) => {
    if (request.session) await logout(ctx, request.session, metaOf(request));
    reply.clearCookie(sessionCookieName(ctx), sessionCookieOptions(ctx));
    return reply.redirect('/login', 303);
  });

  // ---- home

  app.get<{ Querystring: { done?: string } }>('/', { preValidation: signedIn }, async (request, reply) => {
    const organisation = await getOrganisation(ctx, request.session!.user.organisationId);
    // A member organisation's people land on their dashboard (src/web/pages/dashboard.tsx).
    if (request.session!.user.role === 'member') {
      const pc = page(request, reply);
      const data = await memberDashboard(ctx, request.caller.actor, organisation);
      return sendPage(reply, <DashboardPage pc={pc} {...data} {...(request.query.done === 'acknowledged' ? { message: pc.t('al.ackedNow') } : {})} />);
    }
    return sendPage(reply, <HomePage pc={page(request, reply)} organisation={organisation} />);
  });

  // ---- organisations

  app.get<{ Querystring: { q?: string; done?: string } }>('/admin/organisations', { preValidation: needs('organisations:read') }, async (request, reply) => {
    const pc = page(request, reply);
    const q = request.query.q?.slice(0, 200);
    const organisations = await listOrganisations(ctx, q ? { q } : {});
    return sendPage(
      reply,
      <OrganisationsPage pc={pc} organisations={organisations} canManage={can(request.caller.actor, 'organisations:manage')} {...(q ? { q } : {})} {...(request.query.done ? { message: pc.t('orgs.created', { name: request.query.done }) } : {})} />,
    );
  });

  app.post<{ Body: Form }>('/admin/organisations', { preValidation: needs('organisations:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    try {
      const org = await createOrganisation(ctx, request.caller, {
        name: b.name ?? '',
        kind: b.kind === 'operator' ? 'operator' : 'member',
        sector: b.sector || null,
        language: b.language === 'nl' ? 'nl' : 'en',
        notes: b.notes?.trim() || null,
      });
      return reply.redirect(`/admin/organisations?done=${encodeURIComponent(org.name)}`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      const organisations = await listOrganisations(ctx);
      return sendPage(reply, <OrganisationsPage pc={page(request, reply)} organisations={organisations} canManage error={error} values={b} />, 400);
    }
  });

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/admin/organisations/:id', { preValidation: needs('organisations:manage') }, async (request, reply) => {
    const pc = page(request, reply);
    const organisation = await getOrganisation(ctx, optionalInt(request.params.id) ?? 0);
    return sendPage(reply, <OrganisationPage pc={pc} organisation={organisation} {...(request.query.saved ? { message: pc.t('orgs.saved') } : {})} />);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/admin/organisations/:id', { preValidation: needs('organisations:manage') }, async (request, reply) => {
    const id = optionalInt(request.params.id) ?? 0;
    const b = request.body ?? {};
    try {
      const current = await getOrganisation(ctx, id);
      await updateOrganisation(ctx, request.caller, id, {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(current.kind === 'member' && b.sector !== undefined ? { sector: b.sector } : {}),
        ...(b.language ? { language: b.language === 'nl' ? 'nl' : 'en' } : {}),
        ...(b.notes !== undefined ? { notes: b.notes.trim() || null } : {}),
      });
      return reply.redirect(`/admin/organisations/${id}?saved=1`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      return sendPage(reply, <OrganisationPage pc={page(request, reply)} organisation={await getOrganisation(ctx, id)} error={error} />, 400);
    }
  });

  // ---- users

  const usersPage = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof UsersPage>[0]>, status = 200) => {
    const organisationFilter = optionalInt((request.query as { organisation?: string }).organisation);
    const [users, organisations] = await Promise.all([listUsers(ctx, organisationFilter ? { organisationId: organisationFilter } : {}), listOrganisations(ctx)]);
    return sendPage(
      reply,
      <UsersPage pc={page(request, reply)} users={users} organisations={organisations} {...(organisationFilter ? { organisationFilter } : {})} {...extra} />,
      status,
    );
  };

  app.get('/admin/users', { preValidation: needs('users:manage') }, async (request, reply) => usersPage(request, reply, {}));

  app.post<{ Body: Form }>('/admin/users', { preValidation: needs('users:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    const pc = page(request, reply);
    try {
      const { user, generatedPassword } = await createUser(ctx, request.caller, {
        email: b.email ?? '',
        name: b.name ?? null,
        role: b.role ?? '',
        organisationId: optionalInt(b.organisation_id) ?? 0,
        password: b.password || null,
      });
      // A generated password is shown on this response only, so no redirect here.
      return usersPage(request, reply, {
        message: pc.t('users.created', { email: user.email }),
        ...(generatedPassword ? { secret: pc.t('users.generated', { password: generatedPassword }) } : {}),
      }, 201);
    } catch (err) {
      return usersPage(request, reply, { error: formError(err, languageOf(ctx, request)), values: b }, 400);
    }
  });

  const userPage = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Partial<Parameters<typeof UserPage>[0]>, status = 200) => {
    const user = await getUser(ctx, id);
    const organisation = await getOrganisation(ctx, user.organisationId);
    return sendPage(reply, <UserPage pc={page(request, reply)} user={user} organisation={organisation} {...extra} />, status);
  };

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/admin/users/:id', { preValidation: needs('users:manage') }, async (request, reply) =>
    userPage(request, reply, optionalInt(request.params.id) ?? 0, request.query.saved ? { message: page(request, reply).t('users.saved') } : {}),
  );

  app.post<{ Params: { id: string }; Body: Form }>('/admin/users/:id', { preValidation: needs('users:manage') }, async (request, reply) => {
    const id = optionalInt(request.params.id) ?? 0;
    const b = request.body ?? {};
    try {
      await updateUser(ctx, request.caller, id, { ...(b.name !== undefined ? { name: b.name } : {}), ...(b.role ? { role: b.role } : {}) });
      return reply.redirect(`/admin/users/${id}?saved=1`, 303);
    } catch (err) {
      return userPage(request, reply, id, { error: formError(err, languageOf(ctx, request)) }, 400);
    }
  });

  app.post<{ Params: { id: string; change: string } }>('/admin/users/:id/:change(^disable|enable$)', { preValidation: needs('users:manage') }, async (request, reply) => {
    const id = optionalInt(request.params.id) ?? 0;
    try {
      await updateUser(ctx, request.caller, id, { disabled: request.params.change === 'disable' });
      return reply.redirect(`/admin/users/${id}?saved=1`, 303);
    } catch (err) {
      return userPage(request, reply, id, { error: formError(err, languageOf(ctx, request)) }, 409);
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/admin/users/:id/password', { preValidation: needs('users:manage') }, async (request, reply) => {
    const id = optionalInt(request.params.id) ?? 0;
    const pc = page(request, reply);
    try {
      const { generatedPassword } = await setPassword(ctx, request.caller, id, request.body?.password || undefined);
      return userPage(request, reply, id, {
        message: pc.t('users.saved'),
        ...(generatedPassword ? { secret: pc.t('users.generated', { password: generatedPassword }) } : {}),
      });
    } catch (err) {
      return userPage(request, reply, id, { error: formError(err, languageOf(ctx, request)) }, 400);
    }
  });

  // ---- API keys

  const keysPage = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof KeysPage>[0]>, status = 200) => {
    const organisationFilter = optionalInt((request.query as { organisation?: string }).organisation);
    const [keys, organisations] = await Promise.all([listApiKeys(ctx, organisationFilter ? { organisationId: organisationFilter } : {}), listOrganisations(ctx)]);
    return sendPage(
      reply,
      <KeysPage pc={page(request, reply)} keys={keys} organisations={organisations} now={ctx.clock.now()} {...(organisationFilter ? { organisationFilter } : {})} {...extra} />,
      status,
    );
  };

  app.get<{ Querystring: { revoked?: string } }>('/admin/keys', { preValidation: needs('apikeys:manage') }, async (request, reply) =>
    keysPage(request, reply, request.query.revoked ? { message: page(request, reply).t('keys.revoked') } : {}),
  );

  app.post<{ Body: Form }>('/admin/keys', { preValidation: needs('apikeys:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    try {
      const created = await createApiKey(ctx, request.caller, {
        organisationId: optionalInt(b.organisation_id) ?? 0,
        role: b.role ?? '',
        label: b.label || null,
        expires: b.expires || null,
      });
      return keysPage(request, reply, { created: { key: created.apiKey, secret: created.secret } }, 201);
    } catch (err) {
      return keysPage(request, reply, { error: formError(err, languageOf(ctx, request)) }, 400);
    }
  });

  app.post<{ Params: { id: string } }>('/admin/keys/:id/revoke', { preValidation: needs('apikeys:manage') }, async (request, reply) => {
    try {
      await revokeApiKey(ctx, request.caller, optionalInt(request.params.id) ?? 0);
      return reply.redirect('/admin/keys?revoked=1', 303);
    } catch (err) {
      return keysPage(request, reply, { error: formError(err, languageOf(ctx, request)) }, 409);
    }
  });

  // ---- network registry: lookup and the operator directory

  app.get('/lookup', { preValidation: needs('registry:lookup') }, async (request, reply) => {
    return sendPage(reply, <LookupPage pc={page(request, reply)} input="" results={[]} dataDate={null} />);
  });

  app.post<{ Body: Form }>('/lookup', { preValidation: needs('registry:lookup') }, async (request, reply) => {
    const input = (request.body?.ips ?? '').slice(0, 100_000);
    const ips = input.split(/[\s,;]+/).filter((x) => x !== '').slice(0, 1000);
    const { resolver, network } = await registryServices(ctx);
    const results = await resolver.resolveMany(ips);
    return sendPage(reply, <LookupPage pc={page(request, reply)} input={input} results={results} dataDate={network.meta.dataDate} />);
  });

  const operatorInput = (b: Form): OperatorInput => {
    const list = (v: string | undefined) => (v ?? '').split(/[\s,;]+/).filter((x) => x !== '');
    return { name: b.name ?? '', language: b.language === 'nl' ? 'nl' : 'en', notes: b.notes?.trim() || null, asns: list(b.asns), prefixes: list(b.prefixes), contacts: list(b.contacts) };
  };

  const operatorsPage = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof OperatorsPage>[0]>, status = 200) => {
    const q = (request.query as { q?: string }).q?.slice(0, 200);
    const operators = await listOperators(ctx, q);
    return sendPage(reply, <OperatorsPage pc={page(request, reply)} operators={operators} canManage={can(request.caller.actor, 'operators:manage')} {...(q ? { q } : {})} {...extra} />, status);
  };

  app.get<{ Querystring: { q?: string; done?: string } }>('/operators', { preValidation: needs('operators:read') }, async (request, reply) =>
    operatorsPage(request, reply, request.query.done ? { message: page(request, reply).t('orgs.created', { name: request.query.done }) } : {}),
  );

  app.post<{ Body: Form }>('/operators', { preValidation: needs('operators:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    try {
      const o = await createOperator(ctx, request.caller, operatorInput(b));
      return reply.redirect(`/operators?done=${encodeURIComponent(o.organisation.name)}`, 303);
    } catch (err) {
      return operatorsPage(request, reply, { error: formError(err, languageOf(ctx, request)), values: b }, 400);
    }
  });

  app.post<{ Body: Form }>('/operators/import', { preValidation: needs('operators:manage') }, async (request, reply) => {
    const csv = request.body?.csv ?? '';
    const pc = page(request, reply);
    try {
      const r = await importOperatorsCsv(ctx, request.caller, csv);
      return operatorsPage(request, reply, { message: pc.t('ops.imported', { created: r.created, updated: r.updated }) });
    } catch (err) {
      const problems = err instanceof BakenError && err.problems.length > 0 ? err.problems.map((p) => `${p.field}: ${p.message}`).join(' · ') : null;
      return operatorsPage(request, reply, { error: problems ?? formError(err, languageOf(ctx, request)), csv }, 400);
    }
  });

  app.get<{ Params: { id: string } }>('/operators/:id', { preValidation: needs('operators:manage') }, async (request, reply) => {
    const operator = await getOperator(ctx, optionalInt(request.params.id) ?? 0);
    return sendPage(reply, <OperatorPage pc={page(request, reply)} operator={operator} {...((request.query as { saved?: string }).saved ? { message: page(request, reply).t('orgs.saved') } : {})} />);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/operators/:id', { preValidation: needs('operators:manage') }, async (request, reply) => {
    const id = optionalInt(request.params.id) ?? 0;
    const b = request.body ?? {};
    try {
      await updateOperator(ctx, request.caller, id, operatorInput(b));
      return reply.redirect(`/operators/${id}?saved=1`, 303);
    } catch (err) {
      return sendPage(reply, <OperatorPage pc={page(request, reply)} operator={await getOperator(ctx, id)} error={formError(err, languageOf(ctx, request))} values={b} />, 400);
    }
  });

  // ---- audit

  app.get<{ Querystring: { action?: string; before?: string } }>('/admin/audit', { preValidation: needs('audit:read') }, async (request, reply) => {
    const action = request.query.action?.trim().slice(0, 100) || undefined;
    const before = optionalInt(request.query.before);
    const limit = 100;
    const entries = await listAudit(ctx.db, { ...(action ? { action } : {}), ...(before ? { beforeId: before } : {}), limit });
    return sendPage(
      reply,
      <AuditPage pc={page(request, reply)} entries={entries} {...(action ? { action } : {})} nextBefore={entries.length === limit ? entries[entries.length - 1]!.id : null} />,
    );
  });

  // ---- hotline: the report form, the status page, the case pages
  await app.register(hotlineWebRoutes, { ctx });
}
