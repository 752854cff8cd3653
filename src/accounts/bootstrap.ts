/**
 * First start: with no users at all, Baken creates the coordinator organisation
 * and an admin account, so there is someone to log in as. Runs inside one
 * transaction-free sequence guarded by the empty-users check; a second node
 * starting at the same moment fails on the unique email and retries as a no-op.
 */
import type { Context } from '../platform/context.js';
import { audit } from '../platform/audit.js';
import { createOrganisation, getCoordinator } from './organisations.js';
import { createUser } from './users.js';

export interface BootstrapResult {
  email: string;
  /** Set only when Baken generated the password; print it once. */
  generatedPassword: string | null;
}

export async function bootstrap(ctx: Context): Promise<BootstrapResult | null> {
  const any = await ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const by = { actor: { kind: 'system', label: 'first start' } as const, meta: { ip: null, userAgent: null, requestId: null } };
  const coordinator = (await getCoordinator(ctx)) ?? (await createOrganisation(ctx, by, { name: ctx.config.coordinatorName, kind: 'coordinator' }));
  const { user, generatedPassword } = await createUser(ctx, by, {
    email: ctx.config.adminEmail,
    name: 'Administrator',
    role: 'admin',
    organisationId: coordinator.id,
    password: ctx.config.adminPassword,
  });
  await audit(ctx.db.kysely, ctx.clock, by, { action: 'system.bootstrap', target: { type: 'user', id: user.id }, details: { organisation: coordinator.name } });
  return { email: user.email, generatedPassword };
}
