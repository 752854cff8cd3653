/**
 * A member organisation's own API keys (for its SIEM, sensors, TAXII client), managed by its member admins. Keys of a
 * member organisation always take the `member` role (roleFitsOrganisation), so a member admin can make nothing more
 * than a machine with its own users' rights; a key of another organisation is as unknown here as one that does not
 * exist. Authorisation is the caller's: canManageMember.
 */
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../accounts/api-keys.js';
import type { Caller, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { assertMember } from './member-profile.js';

export async function listMemberKeys(ctx: Context, organisationId: number): Promise<ApiKey[]> {
  await assertMember(ctx.db.kysely, organisationId);
  return listApiKeys(ctx, { organisationId });
}

/** @example const { apiKey, secret } = await createMemberKey(ctx, caller, 7, { label: 'SIEM', expires: '2027-01-31' }); */
export async function createMemberKey(ctx: Context, by: Caller, organisationId: number, input: { label?: string | null; expires?: string | null }): Promise<{ apiKey: ApiKey; secret: string }> {
  await assertMember(ctx.db.kysely, organisationId);
  return createApiKey(ctx, by, { organisationId, role: 'member', label: input.label ?? null, expires: input.expires ?? null });
}

export async function revokeMemberKey(ctx: Context, by: Caller, organisationId: number, keyId: number): Promise<ApiKey> {
  await assertMember(ctx.db.kysely, organisationId);
  const key = (await listApiKeys(ctx, { organisationId })).find((k) => k.id === keyId);
  if (!key) throw new BakenError('KEY_NOT_FOUND', { detail: `id ${keyId}` });
  return revokeApiKey(ctx, by, keyId);
}
