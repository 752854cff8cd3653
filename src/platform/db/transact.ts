/**
 * Runs `fn` in a transaction, or inside the caller's transaction when there is
 * one already, so that commands can be composed (creating an operator creates
 * its organisation in the same transaction).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export function transact<T>(k: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return k.isTransaction ? fn(k) : k.transaction().execute(fn);
}
