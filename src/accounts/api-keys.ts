/**
 * API keys for machines: per organisation, with a role and an optional expiry.
 * The key is shown once; Baken keeps only its SHA-256 and a short prefix by which
 * people tell their keys apart. Format: `bkn_` + 32 URL-safe characters (192 bits).
 */
import { transact } from '../platform/db/transact.js';
import type { Selectable } from 'kysely';
import { audit } from '../platform/audit.js';
import type { Actor, Caller, Context } from '../platform/context.js';
import type { ApiKeyTable } from '../platform/db/schema.js';
import { BakenError, invalid } from '../platform/errors.js';
import { randomToken, tokenDigest } from '../platform/tokens.js';
import { KEY_ROLES, roleFitsOrganisation, type KeyRole } from './roles.js';

export const API_KEY_PREFIX = 'bkn_';

export interface ApiKey {
  id: number;
  organisationId: number;
  label: string | null;
  role: KeyRole;
  prefix: string;
  createdByUserId: number | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type ApiKeyState = 'active' | 'expired' | 'revoked';

export function apiKeyState(key: ApiKey, now: Date): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now.toISOString()) return 'expired';
  return 'active';
}

function toApiKey(r: Selectable<ApiKeyTable>): ApiKey {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    label: r.label,
    role: r.role,
    prefix: r.prefix,
    createdByUserId: r.created_by_user_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

/** Accepts a date (`2027-01-31`, meaning the end of that day, UTC) or a full ISO timestamp. */
export function parseExpiry(raw: string, now: Date): string {
  const s = raw.trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T23:59:59.999Z`) : new Date(s);
  if (Number.isNaN(d.getTime())) throw invalid('expires', `"${raw}" is not a date (use YYYY-MM-DD or an ISO timestamp)`);
  if (d <= now) throw invalid('expires', `${d.toISOString()} is in the past`);
  return d.toISOString();
}

export interface ApiKeyInput {
  organisationId: number;
  role: string;
  label?: string | null;
  /** YYYY-MM-DD or ISO timestamp. */
  expires?: string | null;
}

export async function createApiKey(ctx: Context, by: Caller, input: ApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
  if (!(KEY_ROLES as readonly string[]).includes(input.role)) throw invalid('role', `must be one of ${KEY_ROLES.join(', ')}`);
  const role = input.role as KeyRole;
  const now = ctx.clock.now();
  const expiresAt = input.expires ? parseExpiry(input.expires, now) : null;
  const secret = API_KEY_PREFIX + randomToken(24);
  return transact(ctx.db.kysely, async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id', 'kind', 'name']).where('id', '=', input.organisationId).executeTakeFirst();
    if (!org) throw new BakenError('ORG_NOT_FOUND', { detail: `id ${input.organisationId}` });
    if (!roleFitsOrganisation(role, org.kind)) {
      throw invalid('role', `a ${role} key cannot belong to "${org.name}", a ${org.kind} organisation`);
    }
    const row = await trx
      .insertInto('api_keys')
      .values({
        organisation_id: org.id,
        label: input.label?.trim() || null,
        role,
        prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
        key_hash: tokenDigest(secret),
        created_by_user_id: by.actor.kind === 'user' ? by.actor.userId : null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, {
      action: 'apikey.create',
      target: { type: 'api_key', id: row.id },
      details: { organisationId: org.id, role, prefix: row.prefix, expiresAt },
    });
    return { apiKey: toApiKey(row), secret };
  });
}

export async function revokeApiKey(ctx: Context, by: Caller, id: number): Promise<ApiKey> {
  return transact(ctx.db.kysely, async (trx) => {
    const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) throw new BakenError('KEY_NOT_FOUND', { detail: `id ${id}` });
    if (current.revoked_at) throw new BakenError('KEY_REVOKED');
    const row = await trx
      .updateTable('api_keys')
      .set({ revoked_at: ctx.clock.now().toISOString() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, { action: 'apikey.revoke', target: { type: 'api_key', id }, details: { prefix: current.prefix, organisationId: current.organisation_id } });
    return toApiKey(row);
  });
}

export async function listApiKeys(ctx: Context, filter: { organisationId?: number } = {}): Promise<ApiKey[]> {
  let q = ctx.db.kysely.selectFrom('api_keys').selectAll();
  if (filter.organisationId !== undefined) q = q.where('organisation_id', '=', filter.organisationId);
  return (await q.orderBy('id', 'desc').execute()).map(toApiKey);
}

export async function getApiKey(ctx: Context, id: number): Promise<ApiKey> {
  const row = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new BakenError('KEY_NOT_FOUND', { detail: `id ${id}` });
  return toApiKey(row);
}

/** Writes of last_used_at are spaced out so that a busy poller does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The actor behind a presented key, or KEY_INVALID (unknown, revoked or expired:
 * the caller is not told which).
 */
export async function authenticateApiKey(ctx: Context, presented: string): Promise<Actor & { kind: 'api_key' }> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) throw new BakenError('KEY_INVALID');
  const row = await ctx.db.kysely
    .selectFrom('api_keys')
    .innerJoin('organisations', 'organisations.id', 'api_keys.organisation_id')
    .selectAll('api_keys')
    .select('organisations.name as organisation_name')
    .where('key_hash', '=', tokenDigest(presented))
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (!row || apiKeyState(toApiKey(row), now) !== 'active') throw new BakenError('KEY_INVALID');
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
    await ctx.db.kysely.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return {
    kind: 'api_key',
    apiKeyId: row.id,
    label: `${row.prefix}… (${row.organisation_name}${row.label ? `, ${row.label}` : ''})`,
    organisationId: row.organisation_id,
    role: row.role,
  };
}

/** By id or by the prefix people see (`bkn_AbCdEf`), as the CLI's arguments allow. */
export async function findApiKey(ctx: Context, ref: string): Promise<ApiKey> {
  const t = ref.trim().replace(/…$/, '');
  const q = ctx.db.kysely.selectFrom('api_keys').selectAll();
  const rows = /^\d+$/.test(t) ? await q.where('id', '=', Number(t)).execute() : t.startsWith(API_KEY_PREFIX) ? await q.where('prefix', '=', t).execute() : [];
  if (rows.length === 0) throw new BakenError('KEY_NOT_FOUND', { detail: `"${ref}"` });
  if (rows.length > 1) throw invalid('key', `the prefix "${ref}" matches ${rows.length} keys; use the id`);
  return toApiKey(rows[0]!);
}
