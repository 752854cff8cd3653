/**
 * Login sessions for people. The cookie holds a 256-bit random token; the
 * database holds its SHA-256, so a copy of the database yields no live session.
 * Sessions slide: each use pushes the expiry out by the configured lifetime.
 */
import { transact } from '../platform/db/transact.js';
import { audit } from '../platform/audit.js';
import type { Caller, Context, RequestMeta } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { randomToken, tokenDigest } from '../platform/tokens.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { normaliseEmail, toUser, type User } from './users.js';
import { toOrganisation, type Organisation } from './organisations.js';

export interface SessionInfo {
  id: string;
  user: User;
  organisation: Organisation;
  expiresAt: string;
}

const TOUCH_RESOLUTION_MS = 60_000;

function ttlMs(ctx: Context): number {
  return ctx.config.sessionTtlHours * 3600_000;
}

/** A hash to verify against for unknown accounts, so timing does not tell which emails exist. */
let dummyHash: Promise<string> | null = null;

/**
 * Checks the rate limit, the password and the account, records the attempt in
 * the audit log, and opens a session. Returns the cookie token.
 */
export async function login(ctx: Context, email: string, password: string, meta: RequestMeta): Promise<{ token: string; session: SessionInfo }> {
  let normalised: string;
  try {
    normalised = normaliseEmail(email);
  } catch {
    normalised = email.trim().toLowerCase().slice(0, 254);
  }
  await assertLoginAllowed(ctx, normalised, meta);
  const k = ctx.db.kysely;
  const row = await k.selectFrom('users').selectAll().where('email', '=', normalised).executeTakeFirst();
  const ok = row?.password_hash
    ? await verifyPassword(password, row.password_hash)
    : (await verifyPassword(password, await (dummyHash ??= hashPassword('not a password of anyone'))), false);
  if (!row || !ok || row.disabled === 1) {
    const by: Caller = { actor: { kind: 'anonymous' }, meta };
    await audit(k, ctx.clock, by, {
      action: 'auth.login_failed',
      target: { type: 'email', id: normalised },
      details: { reason: !row ? 'unknown account' : !ok ? 'wrong password' : 'account disabled' },
    });
    throw new BakenError('BAD_CREDENTIALS');
  }
  const token = randomToken(32);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs(ctx)).toISOString();
  const org = await transact(k, async (trx) => {
    await trx
      .insertInto('sessions')
      .values({
        id: tokenDigest(token),
        user_id: row.id,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        last_seen_at: now.toISOString(),
        ip: meta.ip,
        user_agent: meta.userAgent?.slice(0, 512) ?? null,
      })
      .execute();
    await trx.updateTable('users').set({ last_login_at: now.toISOString() }).where('id', '=', row.id).execute();
    const user = toUser(row);
    await audit(trx, ctx.clock, { actor: { kind: 'user', userId: user.id, label: user.email, organisationId: user.organisationId, role: user.role }, meta }, {
      action: 'auth.login',
      target: { type: 'user', id: user.id },
    });
    return trx.selectFrom('organisations').selectAll().where('id', '=', row.organisation_id).executeTakeFirstOrThrow();
  });
  return { token, session: { id: tokenDigest(token), user: toUser(row), organisation: toOrganisation(org), expiresAt } };
}

/**
 * Refuses a login when too many attempts failed recently, from this address or
 * for this account. Counting the audit log keeps the limit shared between nodes.
 */
async function assertLoginAllowed(ctx: Context, email: string, meta: RequestMeta): Promise<void> {
  const since = new Date(ctx.clock.now().getTime() - ctx.config.loginWindowMinutes * 60_000).toISOString();
  const k = ctx.db.kysely;
  const count = async (column: 'ip' | 'target_id', value: string): Promise<number> => {
    const r = await k
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'auth.login_failed')
      .where(column, '=', value)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const max = ctx.config.loginMaxFailures;
  if ((meta.ip && (await count('ip', meta.ip)) >= max) || (await count('target_id', email)) >= max) {
    throw new BakenError('RATE_LIMITED');
  }
}

/** The live session behind a cookie token, or null. */
export async function resolveSession(ctx: Context, token: string): Promise<SessionInfo | null> {
  if (token.length < 20 || token.length > 100) return null;
  const id = tokenDigest(token);
  const k = ctx.db.kysely;
  const row = await k
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.expires_at as session_expires_at', 'sessions.last_seen_at as session_last_seen_at'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (!row || row.session_expires_at <= now.toISOString() || row.disabled === 1) return null;
  let expiresAt = row.session_expires_at;
  if (now.getTime() - Date.parse(row.session_last_seen_at) > TOUCH_RESOLUTION_MS) {
    expiresAt = new Date(now.getTime() + ttlMs(ctx)).toISOString();
    await k.updateTable('sessions').set({ last_seen_at: now.toISOString(), expires_at: expiresAt }).where('id', '=', id).execute();
  }
  const org = await k.selectFrom('organisations').selectAll().where('id', '=', row.organisation_id).executeTakeFirstOrThrow();
  const { session_expires_at: _e, session_last_seen_at: _l, ...user } = row;
  return { id, user: toUser(user), organisation: toOrganisation(org), expiresAt };
}

export async function logout(ctx: Context, session: SessionInfo, meta: RequestMeta): Promise<void> {
  const u = session.user;
  await transact(ctx.db.kysely, async (trx) => {
    await trx.deleteFrom('sessions').where('id', '=', session.id).execute();
    await audit(trx, ctx.clock, { actor: { kind: 'user', userId: u.id, label: u.email, organisationId: u.organisationId, role: u.role }, meta }, {
      action: 'auth.logout',
      target: { type: 'user', id: u.id },
    });
  });
}

/** Removes expired sessions; run now and then by the worker. */
export async function purgeExpiredSessions(ctx: Context): Promise<number> {
  const r = await ctx.db.kysely.deleteFrom('sessions').where('expires_at', '<=', ctx.clock.now().toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
