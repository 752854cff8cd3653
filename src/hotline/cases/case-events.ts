/**
 * The case timeline. Every change to a case is one event here and one entry in
 * the audit log, written in the change's own transaction. Events marked public
 * are what the reporter sees on the status page (state changes, never data).
 */
import type { Kysely } from 'kysely';
import { audit, type AuditAction } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Caller } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';

export type CaseEventKind =
  | 'created'
  | 'report'
  | 'state'
  | 'updated'
  | 'assigned'
  | 'unassigned'
  | 'comment'
  | 'evidence'
  | 'hosts'
  | 'merged'
  | 'merged_into'
  | 'contact'
  | 'template'
  | 'round'
  | 'feedback'
  | 'published'
  | 'unpublished'
  | 'purged';

export interface CaseEvent {
  id: number;
  at: string;
  actor: string | null;
  kind: CaseEventKind;
  details: Record<string, unknown>;
  public: boolean;
}

/** Who did it, as the timeline names them. */
export function actorLabel(by: Caller): string {
  const a = by.actor;
  return a.kind === 'anonymous' ? 'reporter' : a.label;
}

export interface RecordOptions {
  caseRowId: number;
  caseId: string;
  kind: CaseEventKind;
  details?: Record<string, unknown>;
  /** Shown to the reporter on the status page. */
  public?: boolean;
  action: AuditAction;
}

/** Writes the timeline event and its audit entry; returns the event id. */
export async function recordCaseEvent(trx: Kysely<Database>, clock: Clock, by: Caller, o: RecordOptions): Promise<number> {
  const row = await trx
    .insertInto('case_events')
    .values({
      case_id: o.caseRowId,
      at: clock.now().toISOString(),
      actor: actorLabel(by),
      kind: o.kind,
      details: o.details ? JSON.stringify(o.details) : null,
      public: o.public ? 1 : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(trx, clock, by, { action: o.action, target: { type: 'case', id: o.caseId }, ...(o.details ? { details: o.details } : {}) });
  return Number(row.id);
}

export async function listCaseEvents(db: Kysely<Database>, caseRowId: number, options: { publicOnly?: boolean } = {}): Promise<CaseEvent[]> {
  let q = db.selectFrom('case_events').selectAll().where('case_id', '=', caseRowId);
  if (options.publicOnly) q = q.where('public', '=', 1);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    kind: r.kind as CaseEventKind,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
    public: r.public === 1,
  }));
}
