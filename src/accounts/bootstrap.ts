/**
 * First start: with no users at all, Baken creates the coordinator organisation
 * and an admin account, so there is someone to log in as. Guarded by the
 * empty-users check; a second node starting at the same moment fails on the
 * unique email instead of creating a second admin.
 */
import type { Caller, Context } from '../platform/context.js';
import { audit } from '../platform/audit.js';
import { createOrganisation, getCoordinator, type Organisation } from './organisations.js';
import { createUser } from './users.js';

export interface BootstrapResult {
  email: string;
  /** Set only when Baken generated the password; print it once. */
  generatedPassword: string | null;
}

const FIRST_START: Caller = { actor: { kind: 'system', label: 'first start' }, meta: { ip: null, userAgent: null, requestId: null } };

/** The coordinator organisation, created (named by BAKEN_COORDINATOR_NAME) when there is none yet. */
export async function ensureCoordinator(ctx: Context, by: Caller = FIRST_START): Promise<Organisation> {
  return (await getCoordinator(ctx)) ?? (await createOrganisation(ctx, by, { name: ctx.config.coordinatorName, kind: 'coordinator' }));
}

export async function bootstrap(ctx: Context): Promise<BootstrapResult | null> {
  const any = await ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const by = FIRST_START;
  const coordinator = await ensureCoordinator(ctx, by);
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
