/**
 * The objects every collection carries so that what it holds can be resolved on its own: the TLP 2.0
 * marking definitions its objects refer to, and the identities they name (`created_by_ref`, and for
 * sightings `where_sighted_refs`). A consumer such as a threat-intelligence platform refuses or delays
 * objects whose references it cannot find.
 */
import type { StixObject } from '../stix/stix-types.js';
import { TLP_MARKINGS } from '../stix/stix-ids.js';
import { compareCursor, entryAfter, versionMatches, type TaxiiEntry, type TaxiiEntrySource } from './taxii-entries.js';
import type { TaxiiQuery } from './taxii-query.js';

export const STATIC_RANK = 0;

/** Entries of fixed objects; `created`/`modified` is their date_added. */
export function staticSource(objects: readonly StixObject[]): TaxiiEntrySource {
  const entries: TaxiiEntry[] = objects.map((o, i) => {
    const version = 'modified' in o ? o.modified : o.created;
    return { id: o.id, type: o.type, version, dateAdded: version, cursor: { at: version, rank: STATIC_RANK, id: i + 1 }, object: () => o };
  });
  entries.sort((a, b) => compareCursor(a.cursor, b.cursor));
  return {
    types: [...new Set(objects.map((o) => o.type))],
    async page(q: TaxiiQuery, limit: number) {
      return entries.filter((e) => entryAfter(e, q) && (!q.types || q.types.includes(e.type)) && (!q.ids || q.ids.includes(e.id)) && versionMatches(e.version, q)).slice(0, limit);
    },
  };
}

export const TLP_MARKING_OBJECTS: readonly StixObject[] = Object.values(TLP_MARKINGS).map((m) => m.object);
