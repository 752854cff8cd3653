/**
 * POST of objects to a collection (TAXII 2.1, 5.4), object by object: what can be taken is taken, what
 * cannot comes back in the status resource with the reason.
 * - sightings: a member reports sightings for its own organisation through the hub's sightings module, so
 *   re-broadcast to the alert's audience happens as for any other sighting. `sighting_of_ref` names an
 *   indicator the hub knows, or one sent in the same envelope (then its value is used, and an unknown value
 *   is kept as an observation for analysts). `where_sighted_refs` is not read: a member reports for itself.
 *   `x_baken_share_name: true` lets other members see the organisation's name (default: only its sector).
 * - indicators: analysts add or update indicators (pattern, TLP marking, confidence, labels, validity).
 * Identities and marking definitions that come along as context are read, not stored.
 */
import { upsertIndicator } from '../../hub/indicators/indicators.js';
import { reportSightings, type SightingInput } from '../../hub/sightings/sightings.js';
import { parseTlp, viewerOf, type Tlp } from '../../hub/tlp.js';
import type { Caller, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { TLP_MARKINGS } from '../stix/stix-ids.js';
import { indicatorStixId, PATTERN_PATHS } from '../stix/to-stix.js';
import { validateStixObject } from '../stix/validate-stix.js';
import { resolveIndicatorIds } from './indicator-entries.js';
import type { CollectionKind } from './taxii-collections.js';
import type { StatusDetail } from './taxii-status.js';

type Obj = Record<string, unknown>;

export interface AddOutcome {
  successes: StatusDetail[];
  failures: StatusDetail[];
}

/** The envelope's objects, or a 400 that says what is wrong with the envelope as a whole. */
export function envelopeObjects(body: unknown): Obj[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BakenError('VALIDATION', { detail: 'The body must be a TAXII envelope: {"objects": [...]}.', problems: [{ field: 'body', message: 'a TAXII envelope' }] });
  const objects = (body as Obj).objects;
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) throw new BakenError('VALIDATION', { detail: 'objects: must be an array of STIX objects', problems: [{ field: 'objects', message: 'an array of STIX objects' }] });
  return objects.map((o, i) => (typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Obj) : { __invalid: i }));
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const versionOf = (o: Obj): string | undefined => str(o.modified) ?? str(o.created) ?? undefined;
const detail = (o: Obj, index: number, message?: string): StatusDetail => ({
  id: str(o.id) ?? `objects[${index}]`,
  ...(versionOf(o) ? { version: versionOf(o)! } : {}),
  ...(message ? { message } : {}),
});

/** The specification's rules for one object, as one failure message; null when valid. Lenient on timestamp precision, as imports are. */
function stixProblems(o: Obj): string | null {
  const problems = validateStixObject(o, { lenientPrecision: true });
  return problems.length === 0 ? null : problems.slice(0, 5).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

const TLP_BY_MARKING = new Map<string, Tlp>([
  ...(Object.entries(TLP_MARKINGS) as Array<[Tlp, { id: string }]>).map(([tlp, m]) => [m.id, tlp] as [string, Tlp]),
  // TLP 1.0 markings of STIX 2.1 (section 7.2.1.4), which many tools still send.
  ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'CLEAR'],
  ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'GREEN'],
  ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'AMBER'],
  ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'RED'],
]);

const TYPE_BY_PATH = new Map<string, string>(Object.entries(PATTERN_PATHS).map(([type, path]) => [path, type]));
TYPE_BY_PATH.set('ipv6-addr:value', 'ipv6');
TYPE_BY_PATH.set("file:hashes.'MD5'", 'md5');
TYPE_BY_PATH.set('file:hashes.MD5', 'md5');
TYPE_BY_PATH.set("file:hashes.'SHA-1'", 'sha1');
TYPE_BY_PATH.set("file:hashes.'SHA-256'", 'sha256');

/**
 * The (type, value) of a STIX pattern of one comparison, such as `[domain-name:value = 'evil.example']`;
 * null for anything else (Baken's indicators are single values).
 */
export function singleValuePattern(pattern: string): { type: string | null; value: string } | null {
  const m = /^\s*\[\s*([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*$/.exec(pattern);
  if (!m) return null;
  const path = m[1]!;
  const value = m[2]!.replace(/\\(.)/g, '$1');
  // A CIDR under ipv4-addr/ipv6-addr:value is told apart from an address by normalisation (type left open).
  const type = path === 'ipv4-addr:value' || path === 'ipv6-addr:value' ? null : (TYPE_BY_PATH.get(path) ?? undefined);
  return type === undefined ? null : { type, value };
}

function tlpOf(o: Obj): Tlp | null {
  const refs = Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as unknown[]) : [];
  for (const r of refs) if (typeof r === 'string' && TLP_BY_MARKING.has(r)) return TLP_BY_MARKING.get(r)!;
  for (const l of Array.isArray(o.labels) ? (o.labels as unknown[]) : []) if (typeof l === 'string' && l.toLowerCase().startsWith('tlp:')) return parseTlp(l);
  return null;
}

function isTimestamp(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));
}

export async function addObjects(ctx: Context, by: Caller, kind: CollectionKind, objects: readonly Obj[]): Promise<AddOutcome> {
  switch (kind) {
    case 'sightings':
      return addSightings(ctx, by, objects);
    case 'indicators':
      return addIndicators(ctx, by, objects);
    default:
      return { successes: [], failures: objects.map((o, i) => detail(o, i, 'this collection is read-only')) };
  }
}

async function addSightings(ctx: Context, by: Caller, objects: readonly Obj[]): Promise<AddOutcome> {
  const out: AddOutcome = { successes: [], failures: [] };
  const indicatorsInEnvelope = new Map<string, Obj>();
  for (const o of objects) if (o.type === 'indicator' && typeof o.id === 'string') indicatorsInEnvelope.set(o.id, o);
  const refs = objects.filter((o) => o.type === 'sighting').map((o) => str(o.sighting_of_ref)).filter((r): r is string => r !== null);
  const known = new Map<string, number>();
  const lookup = refs.filter((r) => r.startsWith('indicator--'));
  if (lookup.length > 0) {
    const ids = await resolveIndicatorIds(ctx.db.kysely, lookup);
    const rows = ids.length > 0 ? await ctx.db.kysely.selectFrom('indicators').select(['id', 'type', 'value']).where('id', 'in', ids).execute() : [];
    for (const r of rows) known.set(indicatorStixId(r.type, r.value), Number(r.id));
  }

  // Items to report, each with the envelope position of its sighting; grouped by share_name (one call each).
  const groups = new Map<boolean, Array<{ index: number; item: SightingInput }>>([[false, []], [true, []]]);
  const referenced = new Set<string>();
  objects.forEach((o, index) => {
    if ('__invalid' in o) return out.failures.push({ id: `objects[${index}]`, message: 'not a STIX object' });
    if (o.type !== 'sighting') return;
    const invalid = stixProblems(o);
    const problems: string[] = invalid ? [invalid] : [];
    const ref = str(o.sighting_of_ref);
    if (!ref) problems.push('sighting_of_ref: required');
    for (const f of ['first_seen', 'last_seen'] as const) if (o[f] !== undefined && !isTimestamp(o[f])) problems.push(`${f}: not a STIX timestamp`);
    if (o.count !== undefined && (!Number.isInteger(o.count) || (o.count as number) < 1)) problems.push('count: a whole number from 1 (Baken records observations, not their absence)');
    if (o.x_baken_share_name !== undefined && typeof o.x_baken_share_name !== 'boolean') problems.push('x_baken_share_name: true or false');
    let target: Pick<SightingInput, 'value' | 'type' | 'indicatorId'> | null = null;
    if (ref && problems.length === 0) {
      if (known.has(ref)) target = { indicatorId: known.get(ref)! };
      else if (indicatorsInEnvelope.has(ref)) {
        const p = singleValuePattern(String(indicatorsInEnvelope.get(ref)!.pattern ?? ''));
        if (p) target = { value: p.value, type: p.type };
        else problems.push(`sighting_of_ref: the indicator ${ref} in this envelope has no single-value pattern Baken can read`);
      } else problems.push(`sighting_of_ref: ${ref} is no indicator this hub knows; send the indicator in the same envelope`);
    }
    if (problems.length > 0 || !target) return out.failures.push(detail(o, index, problems.join('; ')));
    referenced.add(ref!);
    const item: SightingInput = {
      ...target,
      count: (o.count as number | undefined) ?? 1,
      firstSeen: (o.first_seen as string | undefined) ?? null,
      lastSeen: (o.last_seen as string | undefined) ?? null,
      note: str(o.description),
    };
    groups.get(o.x_baken_share_name === true)!.push({ index, item });
  });

  const viewer = viewerOf(by.actor);
  for (const [shareName, items] of groups) {
    if (items.length === 0) continue;
    const r = await reportSightings(ctx, by, viewer, items.map((i) => i.item), { shareName });
    const rejected = new Map(r.rejected.map((x) => [x.index, x.reason]));
    items.forEach((it, k) => {
      const o = objects[it.index]!;
      if (rejected.has(k)) out.failures.push(detail(o, it.index, rejected.get(k)));
      else out.successes.push(detail(o, it.index));
    });
  }
  objects.forEach((o, index) => {
    if ('__invalid' in o || o.type === 'sighting') return;
    if (o.type === 'indicator' && referenced.has(String(o.id))) out.successes.push(detail(o, index, 'read as the indicator of a sighting; indicators are not stored from this collection'));
    else if (o.type === 'identity' || o.type === 'marking-definition') out.successes.push(detail(o, index, 'read as context; not stored'));
    else out.failures.push(detail(o, index, 'this collection takes sightings (and the indicators and identities they refer to)'));
  });
  return out;
}

async function addIndicators(ctx: Context, by: Caller, objects: readonly Obj[]): Promise<AddOutcome> {
  const out: AddOutcome = { successes: [], failures: [] };
  for (let index = 0; index < objects.length; index++) {
    const o = objects[index]!;
    if ('__invalid' in o) {
      out.failures.push({ id: `objects[${index}]`, message: 'not a STIX object' });
      continue;
    }
    if (o.type === 'identity' || o.type === 'marking-definition') {
      out.successes.push(detail(o, index, 'read as context; not stored'));
      continue;
    }
    if (o.type !== 'indicator') {
      out.failures.push(detail(o, index, 'this collection takes indicators'));
      continue;
    }
    const invalid = stixProblems(o);
    if (invalid) {
      out.failures.push(detail(o, index, invalid));
      continue;
    }
    const p = typeof o.pattern === 'string' && o.pattern_type === 'stix' ? singleValuePattern(o.pattern) : null;
    if (!p) {
      out.failures.push(detail(o, index, "pattern: Baken takes STIX patterns of one comparison, such as [domain-name:value = 'evil.example']"));
      continue;
    }
    try {
      await upsertIndicator(ctx, by, {
        value: p.value,
        type: p.type,
        tlp: tlpOf(o),
        confidence: Number.isInteger(o.confidence) ? (o.confidence as number) : null,
        labels: Array.isArray(o.labels) ? (o.labels as unknown[]).filter((l): l is string => typeof l === 'string' && !l.toLowerCase().startsWith('tlp:')) : [],
        source: 'taxii',
        validFrom: str(o.valid_from),
        validUntil: str(o.valid_until),
      });
      out.successes.push(detail(o, index));
    } catch (err) {
      if (err instanceof BakenError) out.failures.push(detail(o, index, err.message));
      else throw err;
    }
  }
  return out;
}
