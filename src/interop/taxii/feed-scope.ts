/**
 * What one caller may take from the hub in bulk, worked out once per request from the one TLP policy
 * (src/hub/tlp.ts) so that a page query can filter in SQL: which indicator TLP levels reach it without an
 * alert, and through which alerts each level reaches it.
 *
 * An indicator in an alert is judged at the stricter of the alert's and its own level, over the alert's
 * audience (as the hub's pages do); a collection is a bulk feed, so the feed rules apply on top of
 * `canSee`: RED never, AMBER+STRICT only into the feed of a recipient organisation itself.
 */
import type { Kysely, Selectable } from 'kysely';
import { rowAudience } from '../../hub/alerts/alerts.js';
import { canSee, mayGoInBulkFeed, mayGoInPublicFeed, stricterTlp, TLP_LEVELS, type Audience, type Tlp, type Viewer } from '../../hub/tlp.js';
import type { AlertTable, Database } from '../../platform/db/schema.js';

/**
 * Whether an item may go into a bulk feed read by this viewer. A member's collection is that organisation's
 * own feed; coordinator staff read every level they may see except RED, which no bulk feed carries.
 */
export function feedAllows(viewer: Viewer, item: Audience): boolean {
  switch (viewer.kind) {
    case 'anonymous':
      return mayGoInPublicFeed(item);
    case 'member':
      return canSee(viewer, item) && mayGoInBulkFeed(item, viewer.organisationId);
    case 'staff':
      return canSee(viewer, item) && item.tlp !== 'RED';
  }
}


export interface FeedScope {
  viewer: Viewer;
  /** Indicator levels that reach the viewer on their own, without an alert (CLEAR, GREEN for members). */
  open: Tlp[];
  /** Per indicator level, the alerts through which an indicator of that level reaches the viewer. */
  viaAlerts: Map<Tlp, number[]>;
  /** The alerts the viewer may take as a whole (its report), with their audience. */
  alerts: Map<number, { row: Selectable<AlertTable>; audience: Audience }>;
}

/** Reads the published (and retracted) alerts once and judges each for the viewer. Drafts never count. */
export async function feedScope(db: Kysely<Database>, viewer: Viewer): Promise<FeedScope> {
  const rows = await db.selectFrom('alerts').selectAll().where('state', '!=', 'draft').execute();
  const open = TLP_LEVELS.filter((tlp) => feedAllows(viewer, { tlp, organisationIds: [], namedUserIds: [] }));
  const viaAlerts = new Map<Tlp, number[]>(TLP_LEVELS.map((t) => [t, []]));
  const alerts = new Map<number, { row: Selectable<AlertTable>; audience: Audience }>();
  for (const row of rows) {
    const audience = rowAudience(row);
    if (!feedAllows(viewer, audience)) continue;
    const id = Number(row.id);
    alerts.set(id, { row, audience });
    for (const level of TLP_LEVELS) {
      if (feedAllows(viewer, { ...audience, tlp: stricterTlp(row.tlp, level) })) viaAlerts.get(level)!.push(id);
    }
  }
  return { viewer, open, viaAlerts, alerts };
}
