/**
 * The one rule for naming who reported a sighting (docs/hub-sightings.md): the reporter's name goes to coordinator
 * staff, to the reporter's own organisation, and to everyone else only when it chose `share_name`. The stream, the
 * alert page and the member dashboard all ask here.
 */
import type { Viewer } from '../tlp.js';

export function mayNameReporter(viewer: Viewer | undefined, reporterOrganisationId: number, shareName: boolean): boolean {
  return shareName || viewer?.kind === 'staff' || (viewer?.kind === 'member' && viewer.organisationId === reporterOrganisationId);
}
