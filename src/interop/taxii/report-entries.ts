/**
 * Alerts as report entries: one per alert the caller may take (feed scope), its date_added the last time
 * the alert changed (a new version, a retraction), so pollers receive updates. The report refers only to
 * the indicators the caller may see.
 */
import { getAlert } from '../../hub/alerts/alerts.js';
import type { Context } from '../../platform/context.js';
import { alertStixId, alertToStix, type StixOptions } from '../stix/to-stix.js';
import { feedAllows, type FeedScope } from './feed-scope.js';
import { stricterTlp } from '../../hub/tlp.js';
import { entryAfter, versionMatches, type TaxiiEntry, type TaxiiEntrySource } from './taxii-entries.js';
import type { TaxiiQuery } from './taxii-query.js';

export const REPORT_RANK = 2;

export function reportSource(ctx: Context, scope: FeedScope, stix: StixOptions): TaxiiEntrySource {
  const reports = [...scope.alerts.entries()].map(([id, { row, audience }]) => {
    const changed = row.retracted_at && row.retracted_at > row.updated_at ? row.retracted_at : row.updated_at;
    const stixId = alertStixId(id, stix);
    const object = async () => {
      const alert = await getAlert(ctx, id);
      alert.indicators = alert.indicators.filter((i) => feedAllows(scope.viewer, { ...audience, tlp: stricterTlp(row.tlp, i.tlp) }));
      return alertToStix(alert, stix);
    };
    const version = changed < row.created_at ? row.created_at : changed;
    return { entry: { id: stixId, type: 'report', version, dateAdded: changed, cursor: { at: changed, rank: REPORT_RANK, id }, object } satisfies TaxiiEntry };
  });
  return {
    types: ['report'],
    async page(q: TaxiiQuery, limit: number) {
      if (q.types && !q.types.includes('report')) return [];
      return reports
        .map((r) => r.entry)
        .filter((e) => entryAfter(e, q) && (!q.ids || q.ids.includes(e.id)) && versionMatches(e.version, q))
        .sort((a, b) => (a.cursor.at === b.cursor.at ? a.cursor.id - b.cursor.id : a.cursor.at < b.cursor.at ? -1 : 1))
        .slice(0, limit);
    },
  };
}
