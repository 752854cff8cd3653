/**
 * Who gets what: the in-scope hosts of a case grouped per recipient (the abuse
 * contact of their operator), the hosts nobody can be told about yet, and the
 * handler's way to give those a contact (for this case, and if wanted for good
 * in the operator directory). Notification rounds build on recipientsOf and
 * hostsOfRecipient.
 */
import { sql } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { createOperator, getOperator, parseAsn, parseContacts, updateOperator } from '../../registry/operators.js';
import { caseRow } from './cases.js';
import { recordCaseEvent } from './case-events.js';
import { toCaseHost, type CaseHost } from './case-hosts.js';

export interface RecipientGroup {
  /** The abuse contact's email address. */
  recipient: string;
  /** The operator in the directory the hosts belong to, when there is one. */
  operator: { id: number; name: string; language: 'en' | 'nl' } | null;
  /** Where the contact came from: `manual` (directory), `rpsl`, `rdap`, `case` (assigned by a handler for this case). */
  contactSource: string | null;
  hosts: number;
}

/**
 * The recipients of a case's in-scope hosts, with how many hosts each gets; largest first.
 * @example
 * for (const g of await recipientsOf(ctx, 'BKN-2026-00001')) console.log(g.recipient, g.hosts);
 */
export async function recipientsOf(ctx: Context, ref: string): Promise<RecipientGroup[]> {
  const k = ctx.db.kysely;
  const row = await caseRow(k, ref);
  const groups = await k
    .selectFrom('case_hosts')
    .select((eb) => ['recipient', eb.fn.min('operator_id').as('operator_id'), eb.fn.min('contact_source').as('contact_source'), eb.fn.countAll<number>().as('hosts')])
    .where('case_id', '=', row.id)
    .where('recipient', 'is not', null)
    .where('out_of_scope', 'is', null)
    .groupBy('recipient')
    .execute();
  const operatorIds = [...new Set(groups.map((g) => g.operator_id).filter((id): id is number => id !== null))].map(Number);
  const operators = new Map<number, { id: number; name: string; language: 'en' | 'nl' }>();
  for (let i = 0; i < operatorIds.length; i += 500) {
    const rows = await k.selectFrom('organisations').select(['id', 'name', 'language']).where('id', 'in', operatorIds.slice(i, i + 500)).execute();
    for (const o of rows) operators.set(Number(o.id), { id: Number(o.id), name: o.name, language: o.language });
  }
  return groups
    .map((g) => ({
      recipient: g.recipient!,
      operator: g.operator_id === null ? null : (operators.get(Number(g.operator_id)) ?? null),
      contactSource: g.contact_source as string | null,
      hosts: Number(g.hosts),
    }))
    .sort((a, b) => b.hosts - a.hosts || a.recipient.localeCompare(b.recipient));
}

/**
 * Streams the in-scope hosts of one recipient in upload order, a page at a time, so a round can write an
 * attachment of any size without holding the case in memory.
 * @example
 * for await (const h of hostsOfRecipient(ctx, 'BKN-2026-00001', 'abuse@kpn.example')) csv.push(`${h.ip},${h.port ?? ''}`);
 */
export async function* hostsOfRecipient(ctx: Context, ref: string, recipient: string, options: { pageSize?: number } = {}): AsyncGenerator<CaseHost> {
  const k = ctx.db.kysely;
  const row = await caseRow(k, ref);
  const pageSize = Math.min(Math.max(options.pageSize ?? 5000, 1), 50_000);
  let after = 0;
  for (;;) {
    const rows = await k
      .selectFrom('case_hosts')
      .selectAll()
      .where('case_id', '=', row.id)
      .where('recipient', '=', recipient)
      .where('out_of_scope', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const r of rows) yield toCaseHost(r);
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}

export interface UnassignedGroup {
  asn: number | null;
  operator: { id: number; name: string } | null;
  /** One network of the group, to recognise it by. */
  network: string | null;
  country: string | null;
  hosts: number;
}

/** In-scope hosts without a recipient, grouped by operator and AS, for a handler to give a contact. */
export async function hostsWithoutContact(ctx: Context, ref: string): Promise<UnassignedGroup[]> {
  const k = ctx.db.kysely;
  const row = await caseRow(k, ref);
  const groups = await k
    .selectFrom('case_hosts')
    .leftJoin('organisations', 'organisations.id', 'case_hosts.operator_id')
    .select((eb) => [
      'case_hosts.asn',
      'case_hosts.operator_id',
      'organisations.name as operator_name',
      eb.fn.min('case_hosts.network').as('network'),
      eb.fn.min('case_hosts.country').as('country'),
      eb.fn.countAll<number>().as('hosts'),
    ])
    .where('case_hosts.case_id', '=', row.id)
    .where('case_hosts.recipient', 'is', null)
    .where('case_hosts.out_of_scope', 'is', null)
    .groupBy(['case_hosts.asn', 'case_hosts.operator_id', 'organisations.name'])
    .execute();
  return groups
    .map((g) => ({
      asn: g.asn === null ? null : Number(g.asn),
      operator: g.operator_id === null ? null : { id: Number(g.operator_id), name: g.operator_name ?? `#${g.operator_id}` },
      network: g.network as string | null,
      country: g.country as string | null,
      hosts: Number(g.hosts),
    }))
    .sort((a, b) => b.hosts - a.hosts);
}

export interface ContactAssignment {
  /** The hosts to give a contact: those of this operator, or else those of this AS without an operator. */
  operatorId?: number | null;
  asn?: number | string | null;
  email: string;
  /**
   * Also keep the contact in the operator directory: added to the operator's contacts, or, for an AS without an
   * operator, a new operator for that AS named `operatorName` (default `AS<n>`).
   */
  saveToDirectory?: boolean;
  operatorName?: string | null;
}

/** Gives the contactless in-scope hosts of one operator or AS a recipient; returns how many hosts got it. */
export async function assignContact(ctx: Context, by: Caller, ref: string, a: ContactAssignment): Promise<{ hosts: number; operatorId: number | null }> {
  const [email] = parseContacts([a.email], 'email');
  if (!email) throw invalid('email', 'is required');
  const operatorId = a.operatorId ?? null;
  const asn = operatorId === null ? (a.asn === null || a.asn === undefined || a.asn === '' ? null : parseAsn(a.asn, 'asn')) : null;
  if (operatorId === null && asn === null) throw invalid('asn', 'name the operator or the AS whose hosts get this contact');
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    let q = trx
      .updateTable('case_hosts')
      .set({ recipient: email, contact_source: 'case' })
      .where('case_id', '=', row.id)
      .where('recipient', 'is', null)
      .where('out_of_scope', 'is', null);
    q = operatorId !== null ? q.where('operator_id', '=', operatorId) : q.where('asn', '=', asn!).where('operator_id', 'is', null);
    const hosts = Number((await q.executeTakeFirst()).numUpdatedRows);
    if (hosts === 0) throw new BakenError('NOT_FOUND', { detail: 'No host of this case without a contact matches.' });
    let savedTo: number | null = null;
    if (a.saveToDirectory) {
      // The directory's commands compose with this transaction (they see it through the context).
      const inTrx = { ...ctx, db: { ...ctx.db, kysely: trx } };
      if (operatorId !== null) {
        const current = await getOperator(inTrx, operatorId);
        await updateOperator(inTrx, by, operatorId, { contacts: [...current.contacts, email] });
        savedTo = operatorId;
      } else {
        const name = a.operatorName?.trim() || `AS${asn}`;
        const created = await createOperator(inTrx, by, { name, asns: [asn!], contacts: [email] });
        savedTo = created.organisation.id;
        await trx.updateTable('case_hosts').set({ operator_id: savedTo }).where('case_id', '=', row.id).where('asn', '=', asn!).where('operator_id', 'is', null).execute();
      }
    }
    await trx
      .updateTable('cases')
      .set((eb) => ({ hosts_no_contact: eb('hosts_no_contact', '-', hosts), updated_at: ctx.clock.now().toISOString() }))
      .where('id', '=', row.id)
      .execute();
    await recordCaseEvent(trx, ctx.clock, by, {
      caseRowId: Number(row.id),
      caseId: row.case_id,
      kind: 'contact',
      details: { email, hosts, ...(operatorId !== null ? { operator_id: operatorId } : { asn }), saved_to_directory: savedTo },
      action: 'case.contact_assign',
    });
    return { hosts, operatorId: savedTo ?? operatorId };
  });
}

/** Count of in-scope hosts per country and reason, for the case page (no addresses). */
export async function scopeSummary(ctx: Context, ref: string): Promise<Array<{ reason: string | null; hosts: number }>> {
  const k = ctx.db.kysely;
  const row = await caseRow(k, ref);
  const rows = await k
    .selectFrom('case_hosts')
    .select((eb) => ['out_of_scope', eb.fn.countAll<number>().as('hosts')])
    .where('case_id', '=', row.id)
    .groupBy('out_of_scope')
    .orderBy(sql`count(*)`, 'desc')
    .execute();
  return rows.map((r) => ({ reason: r.out_of_scope, hosts: Number(r.hosts) }));
}
