/**
 * Sightings as collection entries: a member organisation reads its own (named: they are its own), coordinator
 * staff read all of them, named. Other members learn of sightings through the re-broadcast (stream, webhook,
 * email), anonymised, not here. Sightings of values the hub does not know have no STIX form and stay out, and so
 * do a member's sightings of indicators it may not see.
 */
import { sql, type Kysely } from 'kysely';
import { loadSightings, sightingsAsSeenBy } from '../../hub/sightings/sightings.js';
import type { Viewer } from '../../hub/tlp.js';
import type { Database } from '../../platform/db/schema.js';
import { organisationStixId, sightingStixId, sightingToStix, type StixOptions } from '../stix/to-stix.js';
import { stricterTlp } from '../../hub/tlp.js';
import { keysetRows, type TaxiiEntry, type TaxiiEntrySource } from './taxii-entries.js';
import type { TaxiiQuery } from './taxii-query.js';

export const SIGHTING_RANK = 3;

export function sightingSource(db: Kysely<Database>, viewer: Viewer, stix: StixOptions): TaxiiEntrySource {
  const base = () => {
    let q = db
      .selectFrom('sightings as s')
      .innerJoin('indicators as i', 'i.id', 's.indicator_id')
      .leftJoin('alerts as a', 'a.id', 's.alert_id')
      .select(['s.id', 's.reported_at', 's.organisation_id', 'i.tlp as indicator_tlp', 'a.tlp as alert_tlp']);
    if (viewer.kind === 'member') q = q.where('s.organisation_id', '=', viewer.organisationId);
    else if (viewer.kind !== 'staff') q = q.where(sql<boolean>`1 = 0`);
    return q;
  };
  const resolve = async (stixIds: readonly string[]): Promise<number[]> => {
    const wanted = new Set(stixIds.filter((s) => s.startsWith('sighting--')));
    if (wanted.size === 0) return [];
    const rows = await base().execute();
    return rows.map((r) => Number(r.id)).filter((id) => wanted.has(sightingStixId(id, stix)));
  };
  return {
    types: ['sighting'],
    async page(q: TaxiiQuery, limit: number): Promise<TaxiiEntry[]> {
      if (q.types && !q.types.includes('sighting')) return [];
      let ids: number[] | null = null;
      if (q.ids) {
        ids = await resolve(q.ids);
        if (ids.length === 0) return [];
      }
      const rows = await keysetRows(sql.ref('s.reported_at'), sql.ref('s.id'), SIGHTING_RANK, q.after, limit, (after, n) => {
        let query = base().where(after);
        if (ids) query = query.where('s.id', 'in', ids);
        // A sighting never changes: its one version is when it was reported.
        if (!q.version.current) query = query.where('s.reported_at', 'in', q.version.timestamps.length > 0 ? q.version.timestamps : ['']);
        if (q.addedAfter !== null) query = query.where('s.reported_at', '>', q.addedAfter);
        return query.orderBy('s.reported_at').orderBy('s.id').limit(n).execute();
      });
      // A member's own sighting of an indicator it may not see looks like one of an unknown value (the rule in
      // docs/hub-sightings.md), which has no STIX form: it stays out rather than point at the hidden indicator.
      const loaded = await loadSightings(db, rows.map((r) => Number(r.id)));
      const byId = new Map((await sightingsAsSeenBy(db, viewer, loaded)).map((s) => [s.id, s]));
      return rows.flatMap((r) => {
        const sighting = byId.get(Number(r.id));
        const object = sighting ? sightingToStix(sighting, { ...stix, whereSighted: organisationStixId(sighting.organisationId, stix), tlp: r.alert_tlp ? stricterTlp(r.alert_tlp, r.indicator_tlp) : r.indicator_tlp }) : null;
        if (!object) return [];
        return [{ id: object.id, type: 'sighting', version: object.modified, dateAdded: r.reported_at, cursor: { at: r.reported_at, rank: SIGHTING_RANK, id: Number(r.id) }, object: () => object }];
      });
    },
  };
}
