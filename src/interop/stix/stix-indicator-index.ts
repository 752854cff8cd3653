/**
 * Finds the hub indicator behind a STIX indicator id. Ids are derived from (type, value) and not stored, so
 * each process keeps a map from id to (type, value), filled incrementally from the indicators table by
 * ascending row id: the first lookup reads every indicator once (about 0.1 s per 100,000), later ones only
 * those added since. An indicator whose row is gone is not found by its (type, value) and so is unknown.
 */
import type { Kysely } from 'kysely';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import type { Database } from '../../platform/db/schema.js';
import { indicatorStixId } from './to-stix.js';

interface IndexState {
  byStixId: Map<string, { type: IndicatorType; value: string }>;
  lastRowId: number;
}

const states = new WeakMap<object, IndexState>();
const BATCH = 50_000;

/**
 * The (type, value) of the hub indicator with this STIX id, or null.
 * @example await indicatorOfStixId(ctx.db.kysely, 'indicator--…') // { type: 'domain', value: 'evil.example' }
 */
export async function indicatorOfStixId(db: Kysely<Database>, stixId: string): Promise<{ type: IndicatorType; value: string } | null> {
  let state = states.get(db);
  if (!state) {
    state = { byStixId: new Map(), lastRowId: 0 };
    states.set(db, state);
  }
  const known = state.byStixId.get(stixId);
  if (known) return known;
  for (;;) {
    const rows = await db.selectFrom('indicators').select(['id', 'type', 'value']).where('id', '>', state.lastRowId).orderBy('id').limit(BATCH).execute();
    for (const r of rows) state.byStixId.set(indicatorStixId(r.type, r.value), { type: r.type, value: r.value });
    if (rows.length > 0) state.lastRowId = Number(rows[rows.length - 1]!.id);
    if (rows.length < BATCH) break;
  }
  return state.byStixId.get(stixId) ?? null;
}
