/**
 * A member organisation's profile in the detection network: its alert contacts, its webhook and what it
 * wants to receive. Alerts read it with {@link memberRecipients} and {@link wantsAlert}; the member's own
 * admin manages it (policies: canReadMember, canManageMember).
 */
import type { Kysely, Selectable } from 'kysely';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import type { Database, MemberProfileTable } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { isSector, SECTOR_CODES, type Sector } from '../../accounts/sectors.js';
import { toOrganisation, type Organisation } from '../../accounts/organisations.js';
import { TLP_LEVELS, tlpRank, type Tlp } from '../tlp.js';

export const DELIVERY_MODES = ['immediate', 'digest'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export interface MemberPreferences {
  /** The TLP levels of alerts it wants; by default all. */
  tlpLevels: Tlp[];
  /** The sectors whose alerts it wants; null for every sector (the default). */
  sectors: Sector[] | null;
  /** Email at once, or one daily digest. Webhooks and the stream always carry every alert at once. */
  delivery: DeliveryMode;
}

export const DEFAULT_PREFERENCES: MemberPreferences = { tlpLevels: [...TLP_LEVELS], sectors: null, delivery: 'immediate' };

export interface MemberContact {
  id: number;
  organisationId: number;
  email: string;
  language: 'en' | 'nl';
  createdAt: string;
}

/** The webhook as anyone may see it: never the secret, only its first characters. */
export interface WebhookInfo {
  url: string;
  secretHint: string;
  setAt: string;
  rotatedAt: string | null;
}

export interface MemberProfile {
  organisation: Organisation;
  contacts: MemberContact[];
  webhook: WebhookInfo | null;
  preferences: MemberPreferences;
  /** Users of the organisation who manage this profile. */
  admins: Array<{ id: number; email: string; name: string | null }>;
}

/** The summary on the coordinator's list of members. */
export interface MemberSummary {
  organisation: Organisation;
  contacts: number;
  hasWebhook: boolean;
  admins: number;
  preferences: MemberPreferences;
}

export function secretHint(secret: string): string {
  return `${secret.slice(0, 10)}…`;
}

export function toPreferences(row: Selectable<MemberProfileTable> | undefined): MemberPreferences {
  if (!row) return { ...DEFAULT_PREFERENCES, tlpLevels: [...DEFAULT_PREFERENCES.tlpLevels] };
  return { tlpLevels: JSON.parse(row.tlp_levels) as Tlp[], sectors: row.sectors === null ? null : (JSON.parse(row.sectors) as Sector[]), delivery: row.delivery };
}

export function toWebhookInfo(row: Selectable<MemberProfileTable> | undefined): WebhookInfo | null {
  if (!row?.webhook_url || !row.webhook_secret) return null;
  return { url: row.webhook_url, secretHint: secretHint(row.webhook_secret), setAt: row.webhook_set_at ?? row.updated_at, rotatedAt: row.webhook_rotated_at };
}

/** The organisation, if it is a member organisation; otherwise NOT_A_MEMBER (also for operators and the coordinator). */
export async function assertMember(db: Kysely<Database>, organisationId: number): Promise<Organisation> {
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', organisationId).executeTakeFirst();
  if (!row || row.kind !== 'member') throw new BakenError('NOT_A_MEMBER', { detail: `id ${organisationId}` });
  return toOrganisation(row);
}

/** The profile row, made with the defaults when the organisation has none yet. */
export async function ensureProfile(db: Kysely<Database>, organisationId: number, now: string): Promise<Selectable<MemberProfileTable>> {
  const existing = await db.selectFrom('member_profiles').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
  if (existing) return existing;
  await db
    .insertInto('member_profiles')
    .values({
      organisation_id: organisationId,
      webhook_url: null,
      webhook_secret: null,
      webhook_set_at: null,
      webhook_rotated_at: null,
      tlp_levels: JSON.stringify(DEFAULT_PREFERENCES.tlpLevels),
      sectors: null,
      delivery: DEFAULT_PREFERENCES.delivery,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('organisation_id').doNothing())
    .execute();
  return db.selectFrom('member_profiles').selectAll().where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
}

export async function listContacts(db: Kysely<Database>, organisationId: number): Promise<MemberContact[]> {
  const rows = await db.selectFrom('member_contacts').selectAll().where('organisation_id', '=', organisationId).orderBy('email').execute();
  return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, email: r.email, language: r.language, createdAt: r.created_at }));
}

/**
 * @example const profile = await getMemberProfile(ctx, 7);
 */
export async function getMemberProfile(ctx: Context, organisationId: number): Promise<MemberProfile> {
  const k = ctx.db.kysely;
  const organisation = await assertMember(k, organisationId);
  const row = await k.selectFrom('member_profiles').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
  const admins = await k
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('organisation_id', '=', organisationId)
    .where('org_admin', '=', 1)
    .where('disabled', '=', 0)
    .orderBy('email')
    .execute();
  return { organisation, contacts: await listContacts(k, organisationId), webhook: toWebhookInfo(row), preferences: toPreferences(row), admins };
}

/** Every member organisation with what it has set up, for the coordinator. */
export async function listMembers(ctx: Context, filter: { sector?: string } = {}): Promise<MemberSummary[]> {
  const k = ctx.db.kysely;
  let q = k.selectFrom('organisations').selectAll().where('kind', '=', 'member');
  if (filter.sector) q = q.where('sector', '=', filter.sector);
  const orgs = (await q.orderBy('name').execute()).map(toOrganisation);
  const profiles = new Map((await k.selectFrom('member_profiles').selectAll().execute()).map((r) => [r.organisation_id, r]));
  const contactCounts = new Map(
    (await k.selectFrom('member_contacts').select(['organisation_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('organisation_id').execute()).map((r) => [r.organisation_id, Number(r.n)]),
  );
  const adminCounts = new Map(
    (
      await k
        .selectFrom('users')
        .select(['organisation_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('org_admin', '=', 1)
        .where('disabled', '=', 0)
        .groupBy('organisation_id')
        .execute()
    ).map((r) => [r.organisation_id, Number(r.n)]),
  );
  return orgs.map((organisation) => {
    const row = profiles.get(organisation.id);
    return {
      organisation,
      contacts: contactCounts.get(organisation.id) ?? 0,
      hasWebhook: toWebhookInfo(row) !== null,
      admins: adminCounts.get(organisation.id) ?? 0,
      preferences: toPreferences(row),
    };
  });
}

export interface PreferencesInput {
  tlpLevels?: string[];
  /** null: every sector. */
  sectors?: string[] | null;
  delivery?: string;
}

function checkPreferences(input: PreferencesInput, current: MemberPreferences): MemberPreferences {
  const next = { ...current };
  if (input.tlpLevels !== undefined) {
    const levels = [...new Set(input.tlpLevels.map((l) => l.trim().toUpperCase().replace(/^TLP:/, '')))];
    const bad = levels.filter((l) => !(TLP_LEVELS as readonly string[]).includes(l));
    if (bad.length > 0) throw invalid('tlp_levels', `unknown level ${bad.join(', ')} (one of ${TLP_LEVELS.join(', ')})`);
    if (levels.length === 0) throw invalid('tlp_levels', 'choose at least one level (to receive nothing, remove the contacts and the webhook)');
    next.tlpLevels = (levels as Tlp[]).sort((a, b) => tlpRank(a) - tlpRank(b));
  }
  if (input.sectors !== undefined) {
    if (input.sectors === null) next.sectors = null;
    else {
      const sectors = [...new Set(input.sectors.map((s) => s.trim()).filter((s) => s.length > 0))];
      const bad = sectors.filter((s) => !isSector(s));
      if (bad.length > 0) throw invalid('sectors', `unknown sector ${bad.join(', ')} (one of ${SECTOR_CODES.join(', ')})`);
      next.sectors = sectors.length > 0 ? (sectors as Sector[]) : null;
    }
  }
  if (input.delivery !== undefined) {
    if (!(DELIVERY_MODES as readonly string[]).includes(input.delivery)) throw invalid('delivery', `must be one of ${DELIVERY_MODES.join(', ')}`);
    next.delivery = input.delivery as DeliveryMode;
  }
  return next;
}

export async function setPreferences(ctx: Context, by: Caller, organisationId: number, input: PreferencesInput): Promise<MemberPreferences> {
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const now = ctx.clock.now().toISOString();
    const row = await ensureProfile(trx, organisationId, now);
    const next = checkPreferences(input, toPreferences(row));
    await trx
      .updateTable('member_profiles')
      .set({ tlp_levels: JSON.stringify(next.tlpLevels), sectors: next.sectors === null ? null : JSON.stringify(next.sectors), delivery: next.delivery, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .execute();
    await audit(trx, ctx.clock, by, { action: 'member.preferences', target: { type: 'organisation', id: organisationId }, details: { ...next } });
    return next;
  });
}

/**
 * Whether a member wants an alert by its preferences. An alert addressed to the organisation by name
 * always reaches it: preferences filter the broadcast, not what is meant for it in particular. The TLP
 * policy (src/hub/tlp.ts) decides separately whether it may receive the alert at all.
 * @example wantsAlert(prefs, { tlp: 'AMBER', sectors: ['energy'], addressedByName: false })
 */
export function wantsAlert(preferences: MemberPreferences, alert: { tlp: Tlp; sectors: readonly string[]; addressedByName: boolean }): boolean {
  if (alert.addressedByName) return true;
  if (!preferences.tlpLevels.includes(alert.tlp)) return false;
  if (preferences.sectors === null || alert.sectors.length === 0) return true;
  return alert.sectors.some((s) => (preferences.sectors as readonly string[]).includes(s));
}

/** Where an alert goes for one member: its contacts, its webhook (with the secret, for signing) and its preferences. */
export interface MemberRecipient {
  organisationId: number;
  name: string;
  sector: Sector | null;
  contacts: Array<{ email: string; language: 'en' | 'nl' }>;
  webhook: { url: string; secret: string } | null;
  preferences: MemberPreferences;
}

/**
 * The delivery details of member organisations, for the alert fan-out (all members when `organisationIds`
 * is left out). Read in the caller's transaction so a published alert and its outbox rows agree.
 */
export async function memberRecipients(db: Kysely<Database>, organisationIds?: readonly number[]): Promise<MemberRecipient[]> {
  let q = db.selectFrom('organisations').select(['id', 'name', 'sector']).where('kind', '=', 'member');
  if (organisationIds) q = q.where('id', 'in', organisationIds.length > 0 ? [...organisationIds] : [-1]);
  const orgs = await q.orderBy('id').execute();
  const ids = orgs.map((o) => o.id);
  if (ids.length === 0) return [];
  const profiles = new Map((await db.selectFrom('member_profiles').selectAll().where('organisation_id', 'in', ids).execute()).map((r) => [r.organisation_id, r]));
  const contacts = new Map<number, Array<{ email: string; language: 'en' | 'nl' }>>();
  for (const c of await db.selectFrom('member_contacts').select(['organisation_id', 'email', 'language']).where('organisation_id', 'in', ids).orderBy('email').execute()) {
    const list = contacts.get(c.organisation_id) ?? [];
    list.push({ email: c.email, language: c.language });
    contacts.set(c.organisation_id, list);
  }
  return orgs.map((o) => {
    const p = profiles.get(o.id);
    return {
      organisationId: o.id,
      name: o.name,
      sector: o.sector as Sector | null,
      contacts: contacts.get(o.id) ?? [],
      webhook: p?.webhook_url && p.webhook_secret ? { url: p.webhook_url, secret: p.webhook_secret } : null,
      preferences: toPreferences(p),
    };
  });
}
