/**
 * Privacy: IP addresses of affected hosts are personal data. A set time after
 * a case closes (BAKEN_RETENTION_DAYS, default 90) Baken deletes them: the
 * hosts and the rejected upload lines, the host lists inside sent notification
 * emails, and the portal links. The case keeps its counts. Runs hourly inside
 * `baken serve` and on demand with `baken retention run`.
 */
import { audit } from '../platform/audit.js';
import type { Caller, Context } from '../platform/context.js';
import { transact } from '../platform/db/transact.js';
import { recordCaseEvent } from './cases/case-events.js';

export interface PurgedCase {
  caseId: string;
  hosts: number;
  rejectedLines: number;
  messages: number;
}

export async function runRetention(ctx: Context, by: Caller): Promise<PurgedCase[]> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - ctx.config.retentionDays * 86400_000).toISOString();
  const due = await ctx.db.kysely
    .selectFrom('cases')
    .select(['id', 'case_id'])
    .where('state', '=', 'closed')
    .where('closed_at', '<=', cutoff)
    .where('hosts_purged_at', 'is', null)
    .orderBy('id')
    .execute();
  const purged: PurgedCase[] = [];
  for (const c of due) {
    purged.push(
      await transact(ctx.db.kysely, async (trx) => {
        const hosts = await trx.deleteFrom('case_hosts').where('case_id', '=', c.id).executeTakeFirst();
        const rejected = await trx.deleteFrom('case_rejected_lines').where('case_id', '=', c.id).executeTakeFirst();
        const recipients = trx.selectFrom('round_recipients').innerJoin('notification_rounds', 'notification_rounds.id', 'round_recipients.round_id').select('round_recipients.id').where('notification_rounds.case_id', '=', c.id);
        // Messages keep their envelope and status for the record; their text and attachments, which list hosts, go.
        const messages = await trx
          .updateTable('outbox')
          .set({ payload: JSON.stringify({ purged: now.toISOString() }), status: 'sent' })
          .where('ref_type', '=', 'round_recipient')
          .where('ref_id', 'in', trx.selectFrom('round_recipients').innerJoin('notification_rounds', 'notification_rounds.id', 'round_recipients.round_id').select((eb) => eb.cast<string>('round_recipients.id', 'text').as('id')).where('notification_rounds.case_id', '=', c.id))
          .where('status', 'in', ['sent', 'failed', 'cancelled'])
          .executeTakeFirst();
        // Portal links end for good: an expiry at the epoch, whatever the clock says.
        await trx.updateTable('round_recipients').set({ expires_at: new Date(0).toISOString() }).where('id', 'in', recipients).execute();
        await trx.updateTable('cases').set({ hosts_purged_at: now.toISOString() }).where('id', '=', c.id).execute();
        const result = { caseId: c.case_id, hosts: Number(hosts.numDeletedRows), rejectedLines: Number(rejected.numDeletedRows), messages: Number(messages.numUpdatedRows) };
        await recordCaseEvent(trx, ctx.clock, by, { caseRowId: c.id, caseId: c.case_id, kind: 'purged', details: { ...result }, public: false, action: 'retention.purge' });
        return result;
      }),
    );
  }
  if (purged.length > 0) await audit(ctx.db.kysely, ctx.clock, by, { action: 'retention.purge', details: { cases: purged.map((p) => p.caseId) } });
  return purged;
}
