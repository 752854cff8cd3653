/**
 * Which sources make up each collection for one caller: the objects themselves and the fixed objects they
 * refer to (TLP markings, identities).
 */
import { getCoordinator, toOrganisation } from '../../accounts/organisations.js';
import { viewerOf } from '../../hub/tlp.js';
import type { Actor, Context } from '../../platform/context.js';
import type { StixObject } from '../stix/stix-types.js';
import { hubIdentityToStix, organisationToStix, type StixOptions } from '../stix/to-stix.js';
import { feedScope } from './feed-scope.js';
import { indicatorSource } from './indicator-entries.js';
import { reportSource } from './report-entries.js';
import { sightingSource } from './sighting-entries.js';
import { staticSource, TLP_MARKING_OBJECTS } from './static-entries.js';
import type { CollectionKind } from './taxii-collections.js';
import type { TaxiiEntrySource } from './taxii-entries.js';

/** The hub's STIX options: its identity as the author of everything, its public URL as the scope of its ids. */
export async function hubStixOptions(ctx: Context): Promise<{ options: StixOptions; identity: StixObject }> {
  const identity = hubIdentityToStix(await getCoordinator(ctx), { scope: ctx.config.publicUrl });
  return { options: { createdByRef: identity.id, scope: ctx.config.publicUrl }, identity };
}

export async function collectionSources(ctx: Context, actor: Actor, kind: CollectionKind): Promise<TaxiiEntrySource[]> {
  const viewer = viewerOf(actor);
  const { options, identity } = await hubStixOptions(ctx);
  const db = ctx.db.kysely;
  switch (kind) {
    case 'indicators':
      return [staticSource([...TLP_MARKING_OBJECTS, identity]), indicatorSource(ctx.db, await feedScope(db, viewer), options)];
    case 'alerts': {
      const scope = await feedScope(db, viewer);
      return [staticSource([...TLP_MARKING_OBJECTS, identity]), reportSource(ctx, scope, options), indicatorSource(ctx.db, scope, options, { alertsOnly: true })];
    }
    case 'sightings': {
      // The identities sightings name as where they were seen: the caller's own organisation, or for staff every member.
      let q = db.selectFrom('organisations').selectAll();
      q = viewer.kind === 'member' ? q.where('id', '=', viewer.organisationId) : viewer.kind === 'staff' ? q.where('kind', '=', 'member') : q.where('id', '=', -1);
      const orgs = (await q.orderBy('id').execute()).map((r) => organisationToStix(toOrganisation(r), options));
      return [staticSource([...TLP_MARKING_OBJECTS, identity, ...orgs]), sightingSource(db, viewer, options)];
    }
  }
}
