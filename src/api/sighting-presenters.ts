/** What leaves the system about sightings. The organisation is named to staff and to the organisation itself only. */
import type { RejectedSighting, Sighting } from '../hub/sightings/index.js';

export function presentSighting(s: Sighting) {
  return {
    id: s.id,
    organisation: { id: s.organisationId, name: s.organisationName },
    indicator: s.indicator,
    observation: s.observation,
    alert_id: s.alertId,
    count: s.count,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    note: s.note,
    share_name: s.shareName,
    reported_by: s.reportedBy,
    reported_at: s.reportedAt,
  };
}

export function presentRejectedSighting(r: RejectedSighting) {
  return { index: r.index, reason: r.reason };
}
