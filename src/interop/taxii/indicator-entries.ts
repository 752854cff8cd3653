/**
 * Indicators as collection entries. An indicator enters a caller's collection through its history
 * (indicator_events): when it is created or changed, and when an alert the caller may read puts it in front
 * of it. Its date_added is the latest such event, so a client polling with `added_after` also receives an old
 * AMBER indicator the moment an alert to its organisation makes it visible. Each indicator appears once:
 * at its latest qualifying event.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { toIndicator } from '../../hub/indicators/indicators.js';
import { TLP_LEVELS, type Tlp } from '../../hub/tlp.js';
import type { Db } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { indicatorOfStixId } from '../stix/stix-indicator-index.js';
import { indicatorStixId, indicatorToStix, type StixOptions } from '../stix/to-stix.js';
import type { FeedScope } from './feed-scope.js';
import { asIndexWalk, keysetRows, type TaxiiEntry, type TaxiiEntrySource } from './taxii-entries.js';
import type { TaxiiQuery } from './taxii-query.js';

export const INDICATOR_RANK = 1;

export interface IndicatorSourceOptions {
  /** Only indicators that reach the caller through an alert (the alerts collection), not those open to it anyway. */
  alertsOnly?: boolean;
}

/** Row ids of the indicators with these STIX ids (ids derive from type and value; the STIX index maps them back). */
export async function resolveIndicatorIds(db: Kysely<Database>, stixIds: readonly string[]): Promise<number[]> {
  const found: number[] = [];
  for (const stixId of new Set(stixIds.filter((s) => s.startsWith('indicator--')))) {
    const tv = await indicatorOfStixId(db, stixId);
    if (!tv) continue;
    const r = await db.selectFrom('indicators').select('id').where('type', '=', tv.type).where('value', '=', tv.value).executeTakeFirst();
    if (r) found.push(Number(r.id));
  }
  return found;
}

export function indicatorSource(dbh: Db, scope: FeedScope, stix: StixOptions, options: IndicatorSourceOptions = {}): TaxiiEntrySource {
  const db = dbh.kysely;
  const open = options.alertsOnly ? [] : scope.open;
  const levels = TLP_LEVELS.filter((l) => open.includes(l) || (scope.viaAlerts.get(l) ?? []).length > 0);
  const via = (l: Tlp) => scope.viaAlerts.get(l) ?? [];

  // Which indicators the caller may take: by level, open to it or in one of the alerts that carry that level to it.
  const visible = (): RawBuilder<boolean> =>
    sql.join(
      levels.map((l) =>
        open.includes(l)
          ? sql`i.tlp = ${l}`
          : sql`(i.tlp = ${l} and exists (select 1 from alert_indicators ai where ai.indicator_id = i.id and ai.alert_id in (${sql.join(via(l))})))`,
      ),
      sql` or `,
    ) as RawBuilder<boolean>;
  // Which history events bring an indicator (again) into the collection: any change, and an alert the caller may read.
  const qualifies = (e: string): RawBuilder<boolean> => {
    const alertLevels = levels.filter((l) => via(l).length > 0);
    const byAlert = alertLevels.map((l) => sql`(i.tlp = ${l} and ${sql.ref(`${e}.ref_id`)} in (${sql.join(via(l).map(String))}))`);
    return sql<boolean>`(${sql.ref(`${e}.kind`)} in ('created', 'updated')${byAlert.length > 0 ? sql` or (${sql.ref(`${e}.kind`)} = 'alert' and (${sql.join(byAlert, sql` or `)}))` : sql``})`;
  };

  return {
    types: ['indicator'],
    async page(q: TaxiiQuery, limit: number): Promise<TaxiiEntry[]> {
      if (levels.length === 0) return [];
      if (q.types && !q.types.includes('indicator')) return [];
      let ids: number[] | null = null;
      if (q.ids) {
        ids = await resolveIndicatorIds(db, q.ids);
        if (ids.length === 0) return [];
      }
      if (!q.version.current && q.version.timestamps.length === 0) return [];
      const rows = await asIndexWalk(dbh, (k) => keysetRows(sql.ref('e.at'), sql.ref('e.id'), INDICATOR_RANK, q.after, limit, (after, n) => {
        let query = k
          .selectFrom('indicator_events as e')
          .innerJoin('indicators as i', 'i.id', 'e.indicator_id')
          .selectAll('i')
          .select(['e.id as event_id', 'e.at as event_at'])
          .where(after)
          .where(sql<boolean>`(${visible()})`)
          .where(qualifies('e'))
          // The latest qualifying event of its indicator, asked per row (a scalar subquery on the (indicator_id, id)
          // index): PostgreSQL would turn NOT EXISTS into an anti-join that hashes the whole history on every page.
          .where(sql<boolean>`e.id = (select max(e2.id) from indicator_events e2 where e2.indicator_id = e.indicator_id and ${qualifies('e2')})`);
        if (q.addedAfter !== null) query = query.where('e.at', '>', q.addedAfter);
        if (ids) query = query.where('i.id', 'in', ids);
        // Baken keeps the current version of an indicator; its `modified` is updated_at.
        if (!q.version.current) query = query.where('i.updated_at', 'in', q.version.timestamps);
        return query.orderBy('e.at').orderBy('e.id').limit(n).execute();
      }));
      return rows.map((r) => {
        const { event_id, event_at, ...row } = r;
        // The manifest needs only the id and the version (`modified`: the later of updated_at and created_at, as
        // indicatorToStix writes it); the object is built only for the objects endpoints.
        const version = row.updated_at > row.created_at ? row.updated_at : row.created_at;
        return { id: indicatorStixId(row.type, row.value), type: 'indicator', version, dateAdded: event_at, cursor: { at: event_at, rank: INDICATOR_RANK, id: Number(event_id) }, object: () => indicatorToStix(toIndicator(row), stix) };
      });
    },
  };
}
