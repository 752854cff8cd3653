/**
 * TAXII status resources (TAXII 2.1, 4.3.1): the outcome of one POST of objects, per object. Baken handles an
 * envelope while the client waits, so a status is `complete` when it is first returned; it is kept so that
 * clients that poll the status endpoint find it. Only the organisation that posted reads it.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';

export interface StatusDetail {
  id: string;
  version?: string;
  message?: string;
}

export interface TaxiiStatus {
  id: string;
  status: 'complete' | 'pending';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: StatusDetail[];
  failure_count: number;
  failures: StatusDetail[];
  pending_count: number;
  pendings: StatusDetail[];
}

const organisationOf = (actor: Actor): number | null => (actor.kind === 'user' || actor.kind === 'api_key' ? actor.organisationId : null);

export async function saveStatus(
  ctx: Context,
  actor: Actor,
  collectionId: string,
  requestTimestamp: string,
  outcome: { successes: StatusDetail[]; failures: StatusDetail[] },
): Promise<TaxiiStatus> {
  const status: TaxiiStatus = {
    id: randomUUID(),
    status: 'complete',
    request_timestamp: requestTimestamp,
    total_count: outcome.successes.length + outcome.failures.length,
    success_count: outcome.successes.length,
    successes: outcome.successes,
    failure_count: outcome.failures.length,
    failures: outcome.failures,
    pending_count: 0,
    pendings: [],
  };
  await ctx.db.kysely
    .insertInto('taxii_statuses')
    .values({
      id: status.id,
      collection_id: collectionId,
      organisation_id: organisationOf(actor),
      requested_by: actor.kind === 'anonymous' ? null : actor.label,
      request_timestamp: requestTimestamp,
      status: status.status,
      total_count: status.total_count,
      success_count: status.success_count,
      failure_count: status.failure_count,
      pending_count: 0,
      successes: JSON.stringify(status.successes),
      failures: JSON.stringify(status.failures),
      pendings: '[]',
    })
    .execute();
  return status;
}

/**
 * A status the actor's organisation asked for; others get "not found", not "forbidden", so status ids
 * reveal nothing about other organisations' posts.
 */
export async function readStatus(ctx: Context, actor: Actor, id: string): Promise<TaxiiStatus> {
  const r = /^[0-9a-f-]{36}$/.test(id) ? await ctx.db.kysely.selectFrom('taxii_statuses').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  const org = organisationOf(actor);
  if (!r || (actor.kind !== 'system' && (org === null || Number(r.organisation_id) !== org))) throw new BakenError('TAXII_STATUS_NOT_FOUND');
  return {
    id: r.id,
    status: r.status,
    request_timestamp: r.request_timestamp,
    total_count: r.total_count,
    success_count: r.success_count,
    successes: JSON.parse(r.successes) as StatusDetail[],
    failure_count: r.failure_count,
    failures: JSON.parse(r.failures) as StatusDetail[],
    pending_count: r.pending_count,
    pendings: JSON.parse(r.pendings) as StatusDetail[],
  };
}
