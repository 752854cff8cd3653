/** People: coordinator staff (admin, analyst, handler) and users of member organisations. */
import { transact } from '../platform/db/transact.js';
import type { Selectable } from 'kysely';
import { audit } from '../platform/audit.js';
import type { Caller, Context } from '../platform/context.js';
import type { Database, UserTable } from '../platform/db/schema.js';
import { BakenError, invalid } from '../platform/errors.js';
import type { Kysely } from 'kysely';
import { generatePassword, hashPassword, passwordProblem } from './passwords.js';
import { roleFitsOrganisation, USER_ROLES, type UserRole } from './roles.js';

export interface User {
  id: number;
  email: string;
  name: string | null;
  role: UserRole;
  organisationId: number;
  disabled: boolean;
  language: 'en' | 'nl' | null;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  /** A member user who manages its own organisation's contacts, webhook and preferences. */
  orgAdmin: boolean;
}

export function toUser(r: Selectable<UserTable>): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    organisationId: r.organisation_id,
    disabled: r.disabled === 1,
    language: r.language,
    hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastLoginAt: r.last_login_at,
    orgAdmin: r.org_admin === 1,
  };
}

export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (!/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(email) && !/^[^\s@]+@localhost$/.test(email)) {
    throw invalid(field, `"${raw}" is not an email address`);
  }
  if (email.length > 254) throw invalid(field, 'must be at most 254 characters');
  return email;
}

function checkRole(role: string): UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) throw invalid('role', `must be one of ${USER_ROLES.join(', ')}`);
  return role as UserRole;
}

async function assertRoleFits(k: Kysely<Database>, role: UserRole, organisationId: number): Promise<void> {
  const org = await k.selectFrom('organisations').select(['kind', 'name']).where('id', '=', organisationId).executeTakeFirst();
  if (!org) throw new BakenError('ORG_NOT_FOUND', { detail: `id ${organisationId}`, problems: [{ field: 'organisation', message: 'does not exist' }] });
  if (!roleFitsOrganisation(role, org.kind)) {
    throw invalid(
      'role',
      role === 'member'
        ? `member users belong to a member organisation; "${org.name}" is a ${org.kind}`
        : `${role} is a coordinator role; "${org.name}" is a ${org.kind} organisation`,
    );
  }
}

export interface UserInput {
  email: string;
  name?: string | null;
  role: string;
  organisationId: number;
  /** Without a password one is generated and returned once. */
  password?: string | null;
  language?: 'en' | 'nl' | null;
}

export async function createUser(ctx: Context, by: Caller, input: UserInput): Promise<{ user: User; generatedPassword: string | null }> {
  const email = normaliseEmail(input.email);
  const role = checkRole(input.role);
  const generated = input.password ? null : generatePassword();
  const password = input.password ?? generated!;
  const problem = passwordProblem(password);
  if (problem) throw invalid('password', problem);
  const hash = await hashPassword(password);
  const now = ctx.clock.now().toISOString();
  const user = await transact(ctx.db.kysely, async (trx) => {
    await assertRoleFits(trx, role, input.organisationId);
    const taken = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw new BakenError('USER_EXISTS', { detail: email, problems: [{ field: 'email', message: 'is taken' }] });
    const row = await trx
      .insertInto('users')
      .values({
        email,
        name: input.name?.trim() || null,
        role,
        organisation_id: input.organisationId,
        password_hash: hash,
        disabled: 0,
        language: input.language ?? null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, {
      action: 'user.create',
      target: { type: 'user', id: row.id },
      details: { email, role, organisationId: input.organisationId },
    });
    return toUser(row);
  });
  return { user, generatedPassword: generated };
}

export interface UserPatch {
  name?: string | null;
  role?: string;
  disabled?: boolean;
  language?: 'en' | 'nl' | null;
}

export async function updateUser(ctx: Context, by: Caller, id: number, patch: UserPatch): Promise<User> {
  return transact(ctx.db.kysely, async (trx) => {
    const current = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) throw new BakenError('USER_NOT_FOUND', { detail: `id ${id}` });
    const changes: Partial<Selectable<UserTable>> = {};
    if (patch.name !== undefined) changes.name = patch.name?.trim() || null;
    if (patch.language !== undefined) changes.language = patch.language;
    if (patch.role !== undefined && patch.role !== current.role) {
      changes.role = checkRole(patch.role);
      await assertRoleFits(trx, changes.role, current.organisation_id);
    }
    if (patch.disabled !== undefined && (patch.disabled ? 1 : 0) !== current.disabled) changes.disabled = patch.disabled ? 1 : 0;
    const losesAdmin = current.role === 'admin' && current.disabled === 0 && ((changes.role && changes.role !== 'admin') || changes.disabled === 1);
    if (losesAdmin) {
      const others = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled', '=', 0)
        .where('id', '!=', id)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) throw new BakenError('LAST_ADMIN');
    }
    if (Object.keys(changes).length === 0) return toUser(current);
    const row = await trx
      .updateTable('users')
      .set({ ...changes, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const target = { type: 'user', id };
    if (changes.role) await audit(trx, ctx.clock, by, { action: 'user.role_change', target, details: { email: current.email, from: current.role, to: changes.role } });
    if (changes.disabled !== undefined) {
      await audit(trx, ctx.clock, by, { action: changes.disabled ? 'user.disable' : 'user.enable', target, details: { email: current.email } });
      // A disabled account loses its sessions at once, not when they expire.
      if (changes.disabled) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    }
    const rest = { ...changes };
    delete rest.role;
    delete rest.disabled;
    if (Object.keys(rest).length > 0) await audit(trx, ctx.clock, by, { action: 'user.update', target, details: rest });
    return toUser(row);
  });
}

/** Sets a password and ends the user's other sessions. Without a password, one is generated and returned. */
export async function setPassword(ctx: Context, by: Caller, id: number, password?: string): Promise<{ generatedPassword: string | null }> {
  const generated = password ? null : generatePassword();
  const pw = password ?? generated!;
  const problem = passwordProblem(pw);
  if (problem) throw invalid('password', problem);
  const hash = await hashPassword(pw);
  await transact(ctx.db.kysely, async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'email']).where('id', '=', id).executeTakeFirst();
    if (!user) throw new BakenError('USER_NOT_FOUND', { detail: `id ${id}` });
    await trx.updateTable('users').set({ password_hash: hash, updated_at: ctx.clock.now().toISOString() }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await audit(trx, ctx.clock, by, { action: 'user.password_change', target: { type: 'user', id }, details: { email: user.email } });
  });
  return { generatedPassword: generated };
}

export interface UserFilter {
  organisationId?: number;
  role?: UserRole;
}

export async function listUsers(ctx: Context, filter: UserFilter = {}): Promise<User[]> {
  let q = ctx.db.kysely.selectFrom('users').selectAll();
  if (filter.organisationId !== undefined) q = q.where('organisation_id', '=', filter.organisationId);
  if (filter.role) q = q.where('role', '=', filter.role);
  return (await q.orderBy('email').execute()).map(toUser);
}

export async function getUser(ctx: Context, id: number): Promise<User> {
  const row = await ctx.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new BakenError('USER_NOT_FOUND', { detail: `id ${id}` });
  return toUser(row);
}

/** By id or email, as the CLI's arguments allow. */
export async function findUser(ctx: Context, ref: string): Promise<User> {
  const t = ref.trim();
  const k = ctx.db.kysely.selectFrom('users').selectAll();
  const row = /^\d+$/.test(t)
    ? await k.where('id', '=', Number(t)).executeTakeFirst()
    : await k.where('email', '=', t.toLowerCase()).executeTakeFirst();
  if (!row) throw new BakenError('USER_NOT_FOUND', { detail: `"${ref}"` });
  return toUser(row);
}
