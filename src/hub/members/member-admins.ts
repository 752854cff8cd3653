/**
 * Member admins: member users who manage their own organisation's contacts, webhook and preferences.
 * The coordinator's admin grants and revokes the flag (users:manage); see canManageMember.
 */
import { toUser, type User } from '../../accounts/users.js';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';

/**
 * @example await setOrgAdmin(ctx, caller, userId, true);
 */
export async function setOrgAdmin(ctx: Context, by: Caller, userId: number, orgAdmin: boolean): Promise<User> {
  return transact(ctx.db.kysely, async (trx) => {
    const current = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!current) throw new BakenError('USER_NOT_FOUND', { detail: `id ${userId}` });
    if (current.role !== 'member') throw invalid('user', `${current.email} is ${current.role}, not a member user; only member users administer a member organisation`);
    if ((current.org_admin === 1) === orgAdmin) return toUser(current);
    const row = await trx
      .updateTable('users')
      .set({ org_admin: orgAdmin ? 1 : 0, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // The flag is read when a session is resolved, so the change takes effect on the user's next request.
    await audit(trx, ctx.clock, by, {
      action: orgAdmin ? 'member.admin_grant' : 'member.admin_revoke',
      target: { type: 'user', id: userId },
      details: { email: current.email, organisationId: current.organisation_id },
    });
    return toUser(row);
  });
}
