/** What the member dashboard shows, read with the caller's rights (the TLP policy decides every list). */
import type { Organisation } from '../accounts/organisations.js';
import { listAlerts } from '../hub/alerts/index.js';
import { listSightings, sectorSightings } from '../hub/sightings/index.js';
import { viewerOf } from '../hub/tlp.js';
import type { Actor, Context } from '../platform/context.js';
import type { DashboardProps } from './pages/dashboard.js';

export async function memberDashboard(ctx: Context, actor: Actor, organisation: Organisation): Promise<Omit<DashboardProps, 'pc' | 'message'>> {
  const viewer = viewerOf(actor);
  const [alerts, sightings, sectorAlerts, sector] = await Promise.all([
    listAlerts(ctx, viewer, { receivedOnly: true, unacknowledgedFirst: true, limit: 50 }),
    listSightings(ctx, viewer, { limit: 20 }),
    organisation.sector ? listAlerts(ctx, viewer, { sector: organisation.sector, limit: 10 }) : Promise.resolve([]),
    sectorSightings(ctx, viewer, { limit: 20 }),
  ]);
  return { organisation, alerts, sightings, sectorAlerts, sectorSightings: sector };
}
