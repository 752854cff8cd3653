/**
 * Case ids: `<PREFIX>-YYYY-NNNNN`, numbered from 1 per prefix and year. The
 * number comes from one upsert on `case_sequences` inside the transaction that
 * creates the case, so concurrent creations never share a number: on
 * PostgreSQL the row lock of the conflicting insert serialises them, on SQLite
 * there is one writer at a time.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

export const CASE_ID_PATTERN = /^([A-Z][A-Z0-9]{1,9})-(\d{4})-(\d{5,})$/;

export function formatCaseId(prefix: string, year: number, n: number): string {
  return `${prefix}-${year}-${String(n).padStart(5, '0')}`;
}

/** Canonical form of a case id people typed (any case, spaces around), or null when it is not one. */
export function normaliseCaseId(text: string): string | null {
  const s = text.trim().toUpperCase();
  return CASE_ID_PATTERN.test(s) ? s : null;
}

/** Takes the next number for `prefix` in `year`; call inside the creating transaction. */
export async function nextCaseId(trx: Kysely<Database>, prefix: string, year: number): Promise<string> {
  const { rows } = await sql<{ last: number }>`
    insert into case_sequences (prefix, year, last) values (${prefix}, ${year}, 1)
    on conflict (prefix, year) do update set last = case_sequences.last + 1
    returning last`.execute(trx);
  return formatCaseId(prefix, year, Number(rows[0]!.last));
}
