/** A member organisation's alert contacts: email addresses that receive its alerts, each in its own language. */
import { normaliseEmail } from '../../accounts/users.js';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { assertMember, type MemberContact } from './member-profile.js';

const MAX_CONTACTS = 50;

/**
 * @example await addContact(ctx, caller, 7, { email: 'soc@waterbedrijf.example', language: 'nl' });
 */
export async function addContact(ctx: Context, by: Caller, organisationId: number, input: { email: string; language?: string | null }): Promise<MemberContact> {
  const email = normaliseEmail(input.email);
  const language = input.language ?? null;
  if (language !== null && language !== 'en' && language !== 'nl') throw invalid('language', 'must be en or nl');
  return transact(ctx.db.kysely, async (trx) => {
    const org = await assertMember(trx, organisationId);
    const existing = await trx.selectFrom('member_contacts').select(['id', 'email']).where('organisation_id', '=', organisationId).execute();
    if (existing.some((c) => c.email === email)) throw new BakenError('CONTACT_EXISTS', { detail: email, problems: [{ field: 'email', message: 'is a contact already' }] });
    if (existing.length >= MAX_CONTACTS) throw invalid('email', `an organisation has at most ${MAX_CONTACTS} alert contacts`);
    const now = ctx.clock.now().toISOString();
    const row = await trx
      .insertInto('member_contacts')
      .values({ organisation_id: organisationId, email, language: language ?? org.language, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, { action: 'member.contact_add', target: { type: 'organisation', id: organisationId }, details: { email, language: row.language } });
    return { id: row.id, organisationId, email: row.email, language: row.language, createdAt: row.created_at };
  });
}

/** Removes a contact by its id or its email address. */
export async function removeContact(ctx: Context, by: Caller, organisationId: number, ref: number | string): Promise<MemberContact> {
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    let q = trx.selectFrom('member_contacts').selectAll().where('organisation_id', '=', organisationId);
    q = typeof ref === 'number' || /^\d+$/.test(ref) ? q.where('id', '=', Number(ref)) : q.where('email', '=', ref.trim().toLowerCase());
    const row = await q.executeTakeFirst();
    if (!row) throw new BakenError('CONTACT_NOT_FOUND', { detail: `${ref}` });
    await trx.deleteFrom('member_contacts').where('id', '=', row.id).execute();
    await audit(trx, ctx.clock, by, { action: 'member.contact_remove', target: { type: 'organisation', id: organisationId }, details: { email: row.email } });
    return { id: row.id, organisationId, email: row.email, language: row.language, createdAt: row.created_at };
  });
}

/** Changes the language a contact's alerts and digests are written in. */
export async function setContactLanguage(ctx: Context, by: Caller, organisationId: number, contactId: number, language: string): Promise<MemberContact> {
  if (language !== 'en' && language !== 'nl') throw invalid('language', 'must be en or nl');
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const row = await trx.selectFrom('member_contacts').selectAll().where('organisation_id', '=', organisationId).where('id', '=', contactId).executeTakeFirst();
    if (!row) throw new BakenError('CONTACT_NOT_FOUND', { detail: `${contactId}` });
    if (row.language !== language) {
      await trx.updateTable('member_contacts').set({ language }).where('id', '=', row.id).execute();
      await audit(trx, ctx.clock, by, { action: 'member.contact_language', target: { type: 'organisation', id: organisationId }, details: { email: row.email, language } });
    }
    return { id: row.id, organisationId, email: row.email, language, createdAt: row.created_at };
  });
}
