/** Organisations: the coordinator, member organisations (with a sector) and network operators. */
import { transact } from '../platform/db/transact.js';
import { sql } from 'kysely';
import { audit } from '../platform/audit.js';
import type { Caller, Context } from '../platform/context.js';
import type { OrganisationTable } from '../platform/db/schema.js';
import { BakenError, invalid } from '../platform/errors.js';
import { ORGANISATION_KINDS, type OrganisationKind } from './roles.js';
import { isSector, SECTOR_CODES, type Sector } from './sectors.js';
import type { Selectable } from 'kysely';

export interface Organisation {
  id: number;
  name: string;
  kind: OrganisationKind;
  sector: Sector | null;
  language: 'en' | 'nl';
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrganisationInput {
  name: string;
  kind: OrganisationKind;
  sector?: string | null;
  language?: 'en' | 'nl';
  notes?: string | null;
}

export type OrganisationPatch = Partial<Omit<OrganisationInput, 'kind'>>;

export function toOrganisation(r: Selectable<OrganisationTable>): Organisation {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    sector: r.sector as Sector | null,
    language: r.language,
    notes: r.notes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function checkName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (n.length === 0) throw invalid('name', 'must not be empty');
  if (n.length > 200) throw invalid('name', 'must be at most 200 characters');
  return n;
}

function checkSector(kind: OrganisationKind, sector: string | null | undefined): Sector | null {
  if (kind !== 'member') {
    if (sector) throw invalid('sector', `applies to member organisations only, not to kind ${kind}`);
    return null;
  }
  if (!sector) throw invalid('sector', `is required for a member organisation (one of ${SECTOR_CODES.join(', ')})`);
  if (!isSector(sector)) throw invalid('sector', `"${sector}" is not a known sector (one of ${SECTOR_CODES.join(', ')})`);
  return sector;
}

export async function createOrganisation(ctx: Context, by: Caller, input: OrganisationInput): Promise<Organisation> {
  if (!(ORGANISATION_KINDS as readonly string[]).includes(input.kind)) {
    throw invalid('kind', `must be one of ${ORGANISATION_KINDS.join(', ')}`);
  }
  const name = checkName(input.name);
  const sector = checkSector(input.kind, input.sector);
  const now = ctx.clock.now().toISOString();
  return transact(ctx.db.kysely, async (trx) => {
    if (input.kind === 'coordinator') {
      const existing = await trx.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirst();
      if (existing) throw invalid('kind', 'there is one coordinator organisation already');
    }
    await assertNameFree(trx, name);
    const row = await trx
      .insertInto('organisations')
      .values({ name, kind: input.kind, sector, language: input.language ?? 'en', notes: input.notes ?? null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, { action: 'organisation.create', target: { type: 'organisation', id: row.id }, details: { name, kind: input.kind, sector } });
    return toOrganisation(row);
  });
}

async function assertNameFree(trx: Context['db']['kysely'], name: string, exceptId?: number): Promise<void> {
  let q = trx.selectFrom('organisations').select('id').where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new BakenError('ORG_EXISTS', { detail: `"${name}"`, problems: [{ field: 'name', message: 'is taken' }] });
}

export async function updateOrganisation(ctx: Context, by: Caller, id: number, patch: OrganisationPatch): Promise<Organisation> {
  return transact(ctx.db.kysely, async (trx) => {
    const current = await trx.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) throw new BakenError('ORG_NOT_FOUND', { detail: `id ${id}` });
    const changes: Partial<Selectable<OrganisationTable>> = {};
    if (patch.name !== undefined) {
      changes.name = checkName(patch.name);
      await assertNameFree(trx, changes.name, id);
    }
    if (patch.sector !== undefined) changes.sector = checkSector(current.kind, patch.sector);
    if (patch.language !== undefined) changes.language = patch.language;
    if (patch.notes !== undefined) changes.notes = patch.notes;
    if (Object.keys(changes).length === 0) return toOrganisation(current);
    const row = await trx
      .updateTable('organisations')
      .set({ ...changes, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, { action: 'organisation.update', target: { type: 'organisation', id }, details: changes });
    return toOrganisation(row);
  });
}

export interface OrganisationFilter {
  kind?: OrganisationKind;
  sector?: string;
  /** Part of the name, case-insensitive. */
  q?: string;
}

export async function listOrganisations(ctx: Context, filter: OrganisationFilter = {}): Promise<Organisation[]> {
  let q = ctx.db.kysely.selectFrom('organisations').selectAll();
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.sector) q = q.where('sector', '=', filter.sector);
  if (filter.q) q = q.where(sql<string>`lower(name)`, 'like', `%${filter.q.toLowerCase().replace(/[%_\\]/g, '')}%`);
  const rows = await q.orderBy('kind').orderBy('name').execute();
  return rows.map(toOrganisation);
}

export async function getOrganisation(ctx: Context, id: number): Promise<Organisation> {
  const row = await ctx.db.kysely.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new BakenError('ORG_NOT_FOUND', { detail: `id ${id}` });
  return toOrganisation(row);
}

/**
 * Finds an organisation by id or by name, as the CLI's ORG arguments allow.
 * @example await findOrganisation(ctx, '3'); await findOrganisation(ctx, 'Waterbedrijf Oost');
 */
export async function findOrganisation(ctx: Context, ref: string): Promise<Organisation> {
  const k = ctx.db.kysely;
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) {
    const byId = await k.selectFrom('organisations').selectAll().where('id', '=', Number(trimmed)).executeTakeFirst();
    if (byId) return toOrganisation(byId);
  }
  const byName = await k.selectFrom('organisations').selectAll().where(sql<string>`lower(name)`, '=', trimmed.toLowerCase()).executeTakeFirst();
  if (!byName) throw new BakenError('ORG_NOT_FOUND', { detail: `"${ref}" is neither an organisation id nor a name` });
  return toOrganisation(byName);
}

export async function getCoordinator(ctx: Context): Promise<Organisation | null> {
  const row = await ctx.db.kysely.selectFrom('organisations').selectAll().where('kind', '=', 'coordinator').executeTakeFirst();
  return row ? toOrganisation(row) : null;
}
