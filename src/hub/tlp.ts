/**
 * The one TLP policy (FIRST TLP 2.0). Pages, the API, the stream, webhooks,
 * email and feeds all ask here, so a rule changes in one place:
 *
 * | level        | who may see it                                                     | bulk feeds            |
 * | ------------ | ------------------------------------------------------------------ | --------------------- |
 * | CLEAR        | anyone, also without an account                                    | yes, also public ones |
 * | GREEN        | coordinator staff and every member organisation                    | member feeds          |
 * | AMBER        | staff, and the organisations in the item's audience                | audience's feeds      |
 * | AMBER+STRICT | staff, and the users of the recipient organisation(s) themselves   | recipient's own feed  |
 * | RED          | the named people only (staff included only when named)             | never                 |
 *
 * Pure functions over small shapes: no database, no HTTP. Callers load the
 * audience of an alert (or indicator, analysis) and describe who is looking.
 *
 * AMBER vs AMBER+STRICT: AMBER may be shared inside the recipient organisation *and with its clients*
 * on a need-to-know basis, so a member's machines (API keys) and its people both see it; AMBER+STRICT
 * stays inside the organisation, which Baken can only vouch for for the organisation's own accounts
 * (users and keys of that organisation). The difference in Baken shows in feeds: AMBER may go into
 * any feed of an audience organisation, AMBER+STRICT only into that organisation's own feed, never
 * into one it shares onwards. RED is person to person: a machine (API key) never qualifies.
 */
import type { Actor } from '../platform/context.js';

/** Stored and sent as written in TLP 2.0, upper case, without the `TLP:` prefix. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** How people write the levels: `TLP:AMBER+STRICT`, `amber+strict`, `AMBER_STRICT`, `white` (TLP 1.0 for clear). */
export function parseTlp(raw: string): Tlp | null {
  const s = raw.trim().toUpperCase().replace(/^TLP:/, '').replace(/[_ ]/g, '+');
  if (s === 'WHITE') return 'CLEAR';
  return (TLP_LEVELS as readonly string[]).includes(s) ? (s as Tlp) : null;
}

/** `TLP:AMBER+STRICT`: the label as the standard writes it. */
export function tlpLabel(tlp: Tlp): string {
  return `TLP:${tlp}`;
}

export function isTlp(value: string): value is Tlp {
  return (TLP_LEVELS as readonly string[]).includes(value);
}

/** Lower is more open; for "at most" filters and for comparing an item with a member's preferences. */
export function tlpRank(tlp: Tlp): number {
  return TLP_LEVELS.indexOf(tlp);
}

/** The stricter of two levels: an indicator in an alert is known only to who may see both. */
export function stricterTlp(a: Tlp, b: Tlp): Tlp {
  return tlpRank(a) >= tlpRank(b) ? a : b;
}

/** What the policy needs to know about something marked with a TLP level. */
export interface Audience {
  tlp: Tlp;
  /**
   * The organisations addressed. Fail closed: an alert "to all members" lists them all (resolved when it
   * is published); an empty list means no member organisation, never everyone.
   */
  organisationIds: readonly number[];
  /** The people addressed by name (RED). */
  namedUserIds: readonly number[];
}

/** Who is looking. `userId` is null for a member organisation's machine (an API key). */
export type Viewer =
  | { kind: 'anonymous' }
  | { kind: 'staff'; role: 'admin' | 'analyst' | 'handler'; userId?: number | null }
  | { kind: 'member'; organisationId: number; userId: number | null };

/**
 * The viewer of an authenticated actor. A coordinator key counts as staff without a person; the metrics
 * role sees nothing beyond CLEAR; the system (CLI, worker) is staff.
 * @example viewerOf(request.caller.actor)
 */
export function viewerOf(actor: Actor): Viewer {
  switch (actor.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'system':
      return { kind: 'staff', role: 'admin', userId: null };
    case 'user':
      return actor.role === 'member'
        ? { kind: 'member', organisationId: actor.organisationId, userId: actor.userId }
        : { kind: 'staff', role: actor.role, userId: actor.userId };
    case 'api_key':
      if (actor.role === 'member') return { kind: 'member', organisationId: actor.organisationId, userId: null };
      if (actor.role === 'metrics') return { kind: 'anonymous' };
      return { kind: 'staff', role: actor.role, userId: null };
  }
}

/**
 * Whether the viewer may see the item.
 * @example
 * canSee({ kind: 'member', organisationId: 7, userId: 12 }, { tlp: 'AMBER', organisationIds: [7, 9], namedUserIds: [] }) // true
 * canSee({ kind: 'anonymous' }, { tlp: 'GREEN', organisationIds: [], namedUserIds: [] }) // false
 */
export function canSee(viewer: Viewer, item: Audience): boolean {
  switch (item.tlp) {
    case 'CLEAR':
      return true;
    case 'GREEN':
      return viewer.kind !== 'anonymous';
    // Inside Baken both AMBER levels reach the same accounts: those of the addressed organisations. What
    // STRICT adds (no sharing with the recipient's clients) shows in feeds: see mayGoInBulkFeed.
    case 'AMBER':
    case 'AMBER+STRICT':
      if (viewer.kind === 'staff') return true;
      return viewer.kind === 'member' && item.organisationIds.includes(viewer.organisationId);
    case 'RED':
      return viewer.kind !== 'anonymous' && viewer.userId != null && item.namedUserIds.includes(viewer.userId);
  }
}

/**
 * Whether the item may go into a feed that is read in bulk (TAXII collections, MISP feeds, detection
 * exports, Atom). `feedOwner` is the member organisation a feed belongs to (its own key, its own URL);
 * a list for a feed several organisations read (a sector feed); leave it out for a feed everyone or
 * all members read.
 * RED never; AMBER+STRICT only into a recipient's own feed; AMBER into the feeds of its audience.
 * @example
 * mayGoInBulkFeed({ tlp: 'AMBER+STRICT', organisationIds: [7], namedUserIds: [] }, 7) // true
 * mayGoInBulkFeed({ tlp: 'AMBER+STRICT', organisationIds: [7], namedUserIds: [] })    // false
 */
export function mayGoInBulkFeed(item: Audience, feedOwner?: number | readonly number[] | null): boolean {
  switch (item.tlp) {
    case 'CLEAR':
    case 'GREEN':
      return true;
    case 'AMBER':
      // A feed shared by several organisations (a sector feed) may carry AMBER only when all its readers are in the audience.
      return feedOwner != null && feedOwners(feedOwner).every((o) => item.organisationIds.includes(o));
    case 'AMBER+STRICT':
      // Only a feed of exactly one recipient organisation.
      return typeof feedOwner === 'number' && item.organisationIds.includes(feedOwner);
    case 'RED':
      return false;
  }
}

function feedOwners(owner: number | readonly number[]): readonly number[] {
  return typeof owner === 'number' ? [owner] : owner.length > 0 ? owner : [-1];
}

/** Whether a feed anyone can read (no account) may carry it: TLP:CLEAR only. */
export function mayGoInPublicFeed(item: Audience): boolean {
  return item.tlp === 'CLEAR';
}

/**
 * Whether a push to one member organisation (its webhook, its contacts' email) may carry the item:
 * the organisation as a whole must be entitled. RED goes to named people, never to an organisation's
 * shared endpoint; email for RED is sent to those people directly, not through this check.
 */
export function mayPushToOrganisation(item: Audience, organisationId: number): boolean {
  if (item.tlp === 'RED') return false;
  return canSee({ kind: 'member', organisationId, userId: null }, item);
}
