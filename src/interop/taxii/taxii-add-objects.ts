/**
 * POST of objects to a collection (TAXII 2.1, 5.4), object by object, through the one STIX import
 * (interop/stix/import-stix.ts, not strict): what can be taken is taken, what cannot comes back in the status
 * resource with the reason.
 * - sightings: a member reports sightings for its own organisation through the hub's sightings module, so
 *   re-broadcast to the alert's audience happens as for any other sighting. `sighting_of_ref` names an
 *   indicator the hub knows, or one sent in the same envelope (an unknown value is then kept as an
 *   observation for analysts). `x_baken_share_name: true` on a sighting lets other members see the
 *   organisation's name (default: only its sector).
 * - indicators: analysts add or update indicators (pattern, TLP marking, confidence, labels, validity).
 * Identities and marking definitions that come along are read as context and reported as such.
 */
import { importStix, type StixImportResult } from '../stix/import-stix.js';
import type { Caller, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import type { CollectionKind } from './taxii-collections.js';
import type { StatusDetail } from './taxii-status.js';

type Obj = Record<string, unknown>;

export interface AddOutcome {
  successes: StatusDetail[];
  failures: StatusDetail[];
}

/** The envelope's objects, or a 400 that says what is wrong with the envelope as a whole. */
export function envelopeObjects(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BakenError('VALIDATION', { detail: 'The body must be a TAXII envelope: {"objects": [...]}.', problems: [{ field: 'body', message: 'a TAXII envelope' }] });
  const objects = (body as Obj).objects;
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) throw new BakenError('VALIDATION', { detail: 'objects: must be an array of STIX objects', problems: [{ field: 'objects', message: 'an array of STIX objects' }] });
  return objects;
}

/** What each collection takes; the rest of an envelope is refused object by object. */
const TAKES: Record<CollectionKind, readonly string[]> = {
  indicators: ['indicator', 'identity', 'marking-definition'],
  sightings: ['sighting', 'indicator', 'identity', 'marking-definition'],
  alerts: [],
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function detail(o: unknown, index: number, message?: string): StatusDetail {
  const version = isObj(o) ? (str(o.modified) ?? str(o.created)) : null;
  return { id: (isObj(o) && str(o.id)) || `objects[${index}]`, ...(version ? { version } : {}), ...(message ? { message } : {}) };
}

export async function addObjects(ctx: Context, by: Caller, kind: CollectionKind, objects: readonly unknown[]): Promise<AddOutcome> {
  const failures = new Map<number, string[]>();
  const notes = new Map<number, string>();
  const fail = (i: number, message: string) => failures.set(i, [...(failures.get(i) ?? []), message]);
  const taken: number[] = [];
  objects.forEach((o, i) => {
    if (!isObj(o) || typeof o.type !== 'string') fail(i, 'not a STIX object');
    else if (!TAKES[kind].includes(o.type)) fail(i, kind === 'alerts' ? 'this collection is read-only' : `this collection takes ${TAKES[kind].join(', ')}`);
    else taken.push(i);
  });

  // Sightings that let other members see the organisation's name go in a call of their own (the import's
  // shareName is per call); everything else of the envelope travels with both, to resolve sighting_of_ref.
  const isSighting = (i: number) => (objects[i] as Obj).type === 'sighting';
  const named = taken.filter((i) => isSighting(i) && (objects[i] as Obj).x_baken_share_name === true);
  const groups = named.length > 0 ? [{ share: false, idx: taken.filter((i) => !named.includes(i)) }, { share: true, idx: taken.filter((i) => !isSighting(i) || named.includes(i)) }] : [{ share: false, idx: taken }];
  for (const [g, group] of groups.entries()) {
    if (group.idx.length === 0) continue;
    const mine = (i: number) => g === 0 || isSighting(i);
    let result: StixImportResult;
    try {
      result = await importStix(ctx, by, group.idx.map((i) => objects[i]), { strict: false, source: 'taxii', shareName: group.share });
    } catch (err) {
      if (!(err instanceof BakenError) || err.code !== 'BAKEN_E_STIX_NOTHING_IMPORTED') throw err;
      // Every importable object was refused: the problems name them; the rest is not imported either.
      for (const p of err.problems) {
        const m = /^objects\[(\d+)\]/.exec(p.field);
        const i = m ? group.idx[Number(m[1])] : undefined;
        if (i !== undefined && mine(i)) fail(i, `${p.field.replace(/^objects\[\d+\]\.?/, '') || 'object'}: ${p.message}`);
      }
      for (const i of group.idx) if (mine(i) && !failures.has(i)) fail(i, 'not imported: no object of this envelope could be');
      continue;
    }
    for (const r of result.rejected) {
      const i = group.idx[r.index]!;
      if (mine(i)) fail(i, `${r.path.replace(/^objects\[\d+\]\.?/, '') || 'object'}: ${r.message}`);
    }
    for (const s of result.skipped) {
      const i = group.idx[s.index]!;
      if (mine(i)) notes.set(i, s.note);
    }
  }

  const out: AddOutcome = { successes: [], failures: [] };
  objects.forEach((o, i) => {
    const f = failures.get(i);
    if (f) out.failures.push(detail(o, i, f.join('; ')));
    else out.successes.push(detail(o, i, notes.get(i)));
  });
  return out;
}
