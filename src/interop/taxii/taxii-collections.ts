/**
 * The collections of Baken's TAXII API root, and what a caller may do with each. Every collection is seen
 * through the caller's eyes: its contents follow the caller's organisation and the one TLP policy
 * (src/hub/tlp.ts), and `can_read`/`can_write` follow its role (src/accounts/policies.ts).
 *
 * | collection | holds                                                        | read                         | write                  |
 * | ---------- | ------------------------------------------------------------ | ---------------------------- | ---------------------- |
 * | indicators | every indicator the caller may take in a bulk feed           | members, indicators:read     | indicators:manage      |
 * | alerts     | a report per alert the caller may read, and its indicators   | members, alerts:manage       | nobody                 |
 * | sightings  | sightings: a member's own, all of them (named) for staff     | sightings:read               | sightings:report       |
 */
import { can } from '../../accounts/policies.js';
import type { Actor } from '../../platform/context.js';
import { viewerOf } from '../../hub/tlp.js';
import { STIX_MEDIA_TYPE } from './taxii-media.js';

export const TAXII_API_ROOT = 'baken';

export type CollectionKind = 'indicators' | 'alerts' | 'sightings';

export interface TaxiiCollectionInfo {
  kind: CollectionKind;
  /** Stable: clients keep it in their configuration. */
  id: string;
  alias: string;
  title: string;
  description: string;
}

export const COLLECTIONS: readonly TaxiiCollectionInfo[] = [
  {
    kind: 'indicators',
    id: '5c3f1b7e-8a0d-4c36-9a51-2f6b1d0e7a11',
    alias: 'indicators',
    title: 'Indicators',
    description: 'Indicators of compromise you may use in your detection (TLP rules of your organisation applied). Analysts may add indicators here.',
  },
  {
    kind: 'alerts',
    id: '9d2e4a60-1f7b-4e8c-b3d5-7c0a9e1f2b22',
    alias: 'alerts',
    title: 'Alerts',
    description: 'The alerts of the detection network you may read, as reports, with their indicators.',
  },
  {
    kind: 'sightings',
    id: 'e47b9c15-3d28-4f0a-8e6c-1b5d2a9f0c33',
    alias: 'sightings',
    title: 'Sightings',
    description: 'Members post sightings of indicators here (they are re-broadcast to the alert audience); members read their own, coordinator staff all.',
  },
];

export function findCollection(idOrAlias: string): TaxiiCollectionInfo | null {
  return COLLECTIONS.find((c) => c.id === idOrAlias || c.alias === idOrAlias) ?? null;
}

export interface CollectionRights {
  read: boolean;
  write: boolean;
}

/** What the actor may do with a collection: the TAXII `can_read` and `can_write`. */
export function rightsOf(actor: Actor, kind: CollectionKind): CollectionRights {
  const member = viewerOf(actor).kind === 'member';
  switch (kind) {
    case 'indicators':
      return { read: member || can(actor, 'indicators:read'), write: can(actor, 'indicators:manage') };
    case 'alerts':
      return { read: member || can(actor, 'alerts:manage'), write: false };
    case 'sightings':
      return { read: can(actor, 'sightings:read'), write: can(actor, 'sightings:report') };
  }
}

/** The TAXII collection resource (TAXII 2.1, 5.2.1) for this caller. */
export function presentCollection(c: TaxiiCollectionInfo, rights: CollectionRights) {
  return { id: c.id, title: c.title, description: c.description, alias: c.alias, can_read: rights.read, can_write: rights.write, media_types: [STIX_MEDIA_TYPE] };
}
