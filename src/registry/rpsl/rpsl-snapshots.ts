/** The RPSL snapshots in the database: which one is current, and what it holds. */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

export interface RpslSnapshotInfo {
  id: number;
  createdAt: string;
  finishedAt: string | null;
  /** The date of the data (ISO-8601): the newest last-modified in the dump, else the newest file date. */
  dataDate: string | null;
  counts: { inetnums: number; inet6nums: number; roles: number; organisations: number; autNums: number; skipped: number; invalidEmails: number };
  files: Array<{ name: string; size: number; compressed: boolean; modified: string }>;
}

/**
 * The id of the current snapshot, or null: one indexed read, cheap enough to poll so that a long-running process
 * notices a newer import.
 */
export async function currentRpslSnapshotId(db: Kysely<Database>): Promise<number | null> {
  const row = await db.selectFrom('rpsl_snapshots').select('id').where('status', '=', 'current').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.id) : null;
}

/** The current snapshot, or null when the RIPE database was never imported. */
export async function currentRpslSnapshot(db: Kysely<Database>): Promise<RpslSnapshotInfo | null> {
  const r = await db.selectFrom('rpsl_snapshots').selectAll().where('status', '=', 'current').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!r) return null;
  return {
    id: Number(r.id),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    dataDate: r.data_date,
    counts: {
      inetnums: Number(r.inetnums),
      inet6nums: Number(r.inet6nums),
      roles: Number(r.roles),
      organisations: Number(r.organisations),
      autNums: Number(r.aut_nums),
      skipped: Number(r.skipped),
      invalidEmails: Number(r.invalid_emails),
    },
    files: JSON.parse(r.files) as RpslSnapshotInfo['files'],
  };
}
