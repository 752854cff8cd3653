/**
 * Imports MISP events into the hub: their indicators through the hub's own import path (normalisation, merge,
 * registry enrichment, history; src/hub/indicators), their sightings as hub sightings, in one transaction.
 *
 * By default the import lands whole or not at all: any bad attribute refuses it, naming event, attribute and
 * field. `partial` imports the good attributes and reports the bad; `strict` also refuses attributes meant for
 * detection (`to_ids`) whose type the hub does not hold, which are otherwise skipped with the reason.
 *
 * MISP sightings:
 * - type 0 (sighting) becomes a hub sighting of each indicator of its attribute, by the member organisation of the
 *   same name when there is one, else by the importing organisation (the caller's, or the coordinator's for the
 *   CLI); its MISP organisation and source go into the note. Imported sightings are history, not news: they are not
 *   re-broadcast to members.
 * - type 1 (false positive) adds the label `misp:false-positive` to the indicator, so analysts see it before alerting.
 * - type 2 (expiration) sets the indicator's `valid_until` to that date, unless it already ends earlier.
 * A sighting is imported once: re-importing a changed event does not count it again.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { BakenError, type FieldProblem } from '../../platform/errors.js';
import type { Resolver } from '../../registry/resolver.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { appendIndicatorEvents, importIndicatorEntries } from '../../hub/indicators/indicators.js';
import { warninglistFlags, type WarninglistFlag } from '../../hub/indicators/indicator-warninglists.js';
import { readMispEvents, type MispEntry, type MispProblem, type MispSighting, type MispSkipped, type ReadMispResult } from './read-misp-events.js';

export const FALSE_POSITIVE_LABEL = 'misp:false-positive';

export interface MispImportOptions {
  /** Refuse also when an attribute meant for detection has a type the hub does not hold. */
  strict?: boolean;
  /** Import the good attributes and report the bad ones, instead of refusing the whole input. */
  partial?: boolean;
  resolver?: Resolver;
  /** Where the input came from, for the audit log (a file name, a feed URL). */
  origin?: string;
  /** More writes in the same transaction (a feed's bookkeeping). */
  within?: (trx: Kysely<Database>) => Promise<void>;
}

export interface MispImportResult {
  events: number;
  attributes: number;
  /** Distinct indicators written. */
  indicators: number;
  created: number;
  updated: number;
  skippedCount: number;
  /** The first 1,000 skipped attributes, with the reason. */
  skipped: MispSkipped[];
  /** With `partial`: the refused attributes (the first 1,000). */
  problems: MispProblem[];
  sightings: { recorded: number; falsePositives: number; expirations: number; alreadyImported: number };
  /** Imported indicators on a MISP warninglist (known false positives): check them before alerting. */
  flaggedCount: number;
  flagged: WarninglistFlag[];
  durationMs: number;
}

const KEPT = 1000;

/** The problems as the error catalogue's field problems (the first 20). */
export function mispProblems(problems: readonly MispProblem[]): FieldProblem[] {
  return problems.slice(0, 20).map((p) => ({ field: `${p.path}.${p.field}`, message: `event ${p.event}${p.attribute ? `, attribute ${p.attribute}` : ''}: ${p.message}` }));
}

function refuse(problems: readonly MispProblem[]): BakenError {
  const p = problems[0]!;
  return new BakenError('MISP_INVALID', {
    detail: `${problems.length} problem(s); the first: event ${p.event}${p.attribute ? `, attribute ${p.attribute}` : ''} (${p.path}), ${p.field}: ${p.message}`,
    problems: mispProblems(problems),
  });
}

/**
 * Imports MISP event JSON (text, parsed JSON, or what {@link readMispEvents} read).
 * @throws {BakenError} MISP_INVALID naming the first problems (nothing is imported), unless `partial`.
 * @example
 * const r = await importMispEvents(ctx, by, fs.readFileSync('event.json', 'utf8'));
 * r.created // new indicators; r.skipped: attributes left out and why
 */
export async function importMispEvents(ctx: Context, by: Caller, input: string | unknown, options: MispImportOptions = {}): Promise<MispImportResult> {
  const started = Date.now();
  const read = isRead(input) ? input : readMispEvents(input);
  const problems = [...read.problems];
  if (options.strict) {
    for (const e of read.events) for (const s of e.skipped) if (s.reason.startsWith('type ')) problems.push({ event: s.event, attribute: s.attribute, path: s.path, field: 'type', message: `${s.reason} (strict)` });
  }
  const structural = problems.some((p) => p.event === '-');
  if (problems.length > 0 && (!options.partial || structural)) throw refuse(problems);
  // Partial: leave out every indicator of an attribute with a problem, so no half-read attribute lands.
  const bad = new Set(problems.map((p) => `${p.event}\u0000${p.path}`));
  const entries: MispEntry[] = [];
  const sightings: MispSighting[] = [];
  for (const e of read.events) {
    if (bad.size === 0) {
      for (const x of e.entries) entries.push(x);
      for (const s of e.sightings) sightings.push(s);
      continue;
    }
    for (const x of e.entries) if (!bad.has(`${x.event}\u0000${x.path}`)) entries.push(x);
    for (const s of e.sightings) if (!bad.has(`${s.event}\u0000${s.path.replace(/\.Sighting(\[\d+\])?$/, '')}`)) sightings.push(s);
  }
  const counts = { recorded: 0, falsePositives: 0, expirations: 0, alreadyImported: 0 };
  const skipped = read.events.flatMap((e) => e.skipped);
  const attributes = read.events.reduce((n, e) => n + e.attributes, 0);
  const w = await importIndicatorEntries(ctx, by, entries, {
    ...(options.resolver ? { resolver: options.resolver } : {}),
    audit: { action: 'misp.import', details: { origin: options.origin ?? null, events: read.events.length, attributes, indicators: entries.length, skipped: skipped.length, refused: problems.length, sightings: sightings.length } },
    within: async (trx, idOf) => {
      if (sightings.length > 0) await importSightings(ctx, trx, by, sightings, idOf, counts);
      if (options.within) await options.within(trx);
    },
  });
  const distinct = new Map<string, { type: IndicatorType; value: string }>();
  for (const e of entries) distinct.set(`${e.type}\u0000${e.value}`, { type: e.type, value: e.value });
  const flagged = await warninglistFlags(ctx, [...distinct.values()]);
  return {
    events: read.events.length,
    attributes,
    indicators: w.indicators,
    created: w.created,
    updated: w.updated,
    skippedCount: skipped.length,
    skipped: skipped.slice(0, KEPT),
    problems: problems.slice(0, KEPT),
    sightings: counts,
    flaggedCount: flagged.length,
    flagged: flagged.slice(0, KEPT),
    durationMs: Date.now() - started,
  };
}

function isRead(v: unknown): v is ReadMispResult {
  return typeof v === 'object' && v !== null && Array.isArray((v as ReadMispResult).events) && Array.isArray((v as ReadMispResult).problems);
}

async function importSightings(
  ctx: Context,
  trx: Kysely<Database>,
  by: Caller,
  sightings: readonly MispSighting[],
  idOf: (type: IndicatorType, value: string) => Promise<number | undefined>,
  counts: MispImportResult['sightings'],
): Promise<void> {
  const now = ctx.clock.now().toISOString();
  const actor = by.actor.kind === 'anonymous' ? null : by.actor.label;
  const members = new Map<string, { id: number; name: string }>();
  for (const m of await trx.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'member').execute()) members.set(m.name.trim().toLowerCase(), { id: Number(m.id), name: m.name });
  let importer: { id: number; name: string } | null = null;
  const importerOrg = async () => {
    if (importer) return importer;
    const own = by.actor.kind === 'user' || by.actor.kind === 'api_key' ? await trx.selectFrom('organisations').select(['id', 'name']).where('id', '=', by.actor.organisationId).executeTakeFirst() : undefined;
    const row = own ?? (await trx.selectFrom('organisations').select(['id', 'name']).where(sql<string>`lower(name)`, '=', ctx.config.coordinatorName.trim().toLowerCase()).executeTakeFirst()) ?? (await trx.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'coordinator').orderBy('id').executeTakeFirst());
    if (!row) throw new BakenError('ORG_NOT_FOUND', { detail: 'No organisation to attribute the MISP sightings to (the coordinator organisation is missing).' });
    importer = { id: Number(row.id), name: row.name };
    return importer;
  };
  const seen = new Set<string>();
  for (const s of sightings) {
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    const done = await trx.selectFrom('misp_sighting_imports').select('key').where('key', '=', s.key).executeTakeFirst();
    if (done) {
      counts.alreadyImported++;
      continue;
    }
    const ids: number[] = [];
    for (const t of s.targets) {
      const id = await idOf(t.type, t.value);
      if (id !== undefined) ids.push(id);
    }
    let firstSighting: number | null = null;
    const who = s.organisation.name ? `${s.organisation.name}${s.organisation.uuid ? ` (${s.organisation.uuid})` : ''}` : 'an unnamed organisation';
    for (const id of ids) {
      if (s.kind === 'sighting') {
        const org = (s.organisation.name ? members.get(s.organisation.name.trim().toLowerCase()) : undefined) ?? (await importerOrg());
        const note = `MISP sighting by ${who}${s.source ? `, source ${s.source}` : ''}, event ${s.event}`.slice(0, 2000);
        const row = await trx
          .insertInto('sightings')
          .values({ organisation_id: org.id, indicator_id: id, observation_id: null, alert_id: null, count: 1, first_seen: s.at, last_seen: s.at, note, share_name: 0, reported_by: actor, reported_by_user: by.actor.kind === 'user' ? by.actor.userId : null, reported_by_key: by.actor.kind === 'api_key' ? by.actor.apiKeyId : null, reported_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        firstSighting ??= Number(row.id);
        await appendIndicatorEvents(trx, [{ indicatorId: id, kind: 'sighting', at: now, actor, ref: { type: 'sighting', id: Number(row.id) }, details: { via: 'misp', organisation: org.name, organisationId: org.id, count: 1, seenAt: s.at, mispOrganisation: s.organisation.name } }]);
        counts.recorded++;
      } else if (s.kind === 'false-positive') {
        const r = await trx.selectFrom('indicators').select('labels').where('id', '=', id).executeTakeFirstOrThrow();
        const labels = JSON.parse(r.labels) as string[];
        if (!labels.includes(FALSE_POSITIVE_LABEL)) await trx.updateTable('indicators').set({ labels: JSON.stringify([...labels, FALSE_POSITIVE_LABEL].slice(-32)), updated_at: now }).where('id', '=', id).execute();
        await appendIndicatorEvents(trx, [{ indicatorId: id, kind: 'updated', at: now, actor, details: { via: 'misp', misp: 'false-positive', by: s.organisation.name, at: s.at } }]);
        counts.falsePositives++;
      } else {
        const r = await trx.selectFrom('indicators').select('valid_until').where('id', '=', id).executeTakeFirstOrThrow();
        if (r.valid_until === null || r.valid_until > s.at) await trx.updateTable('indicators').set({ valid_until: s.at, updated_at: now }).where('id', '=', id).execute();
        await appendIndicatorEvents(trx, [{ indicatorId: id, kind: 'updated', at: now, actor, details: { via: 'misp', misp: 'expiration', by: s.organisation.name, validUntil: s.at } }]);
        counts.expirations++;
      }
    }
    await trx.insertInto('misp_sighting_imports').values({ key: s.key, sighting_id: firstSighting, imported_at: now }).execute();
  }
}
