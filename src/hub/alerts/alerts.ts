/**
 * Alerts: what the coordinator sends the members of the detection network. An analyst composes a draft (title,
 * severity, Markdown summary, optional analysis, indicators, TLP and audience: all members, some sectors, named
 * organisations, and for RED named people), previews who would receive it, and publishes. Publishing, updating
 * and retracting fan out in the same transaction through the outbox (email per alert contact in its language, one
 * signed webhook call per member) and, after commit, as an in-process hub event for the live stream.
 *
 * Who receives and who may read is decided by the one TLP policy (src/hub/tlp.ts: canSee, mayPushToOrganisation)
 * over the alert's audience, and each member's preferences (wantsAlert) filter the broadcast.
 */
import type { Kysely, Selectable } from 'kysely';
import { isSector, type Sector } from '../../accounts/sectors.js';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import type { AlertTable, Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueEmails } from '../../platform/delivery/outbox.js';
import { enqueueWebhooks } from '../../platform/delivery/webhooks.js';
import { BakenError, invalid, type FieldProblem } from '../../platform/errors.js';
import { renderMarkdown } from '../../platform/markdown.js';
import { holdAllForDigest, type DigestItemInput } from '../digest/digest-items.js';
import { publishHubEvents } from '../hub-event-relay.js';
import { SEVERITIES, type Severity } from '../indicators/indicator-types.js';
import { appendIndicatorEvents, checkIndicatorIds, toIndicator, type Indicator } from '../indicators/indicators.js';
import { indicatorWarninglists, type IndicatorWarninglistIndex } from '../indicators/indicator-warninglists.js';
import { memberRecipients, wantsAlert, type DeliveryMode } from '../members/member-profile.js';
import { canSee, mayPushToOrganisation, parseTlp, type Audience, type Tlp, type Viewer } from '../tlp.js';
import { alertUrl, alertWebhookJson, renderAlertEmail, type AlertEventType } from './alert-messages.js';

export const ALERT_STATES = ['draft', 'published', 'retracted'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const AUDIENCE_KINDS = ['all', 'sectors', 'organisations'] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];

/** Whom an alert is addressed to. For RED, `namedUserIds` on the alert names the people. */
export interface AlertAudience {
  kind: AudienceKind;
  sectors: Sector[];
  organisationIds: number[];
}

export interface AlertInput {
  title: string;
  severity: Severity | string;
  /** Markdown. */
  summary: string;
  tlp: Tlp | string;
  analysisId?: number | null;
  audience: { kind: AudienceKind | string; sectors?: readonly string[]; organisationIds?: readonly number[] };
  /** RED only: the people who receive it (users of member organisations or coordinator staff). */
  namedUserIds?: readonly number[];
  indicatorIds?: readonly number[];
}

/** A change. On a published alert only title, severity, summary, analysis and indicators change (a new version). */
export type AlertPatch = Partial<AlertInput> & { note?: string | null };

export interface Alert {
  id: number;
  state: AlertState;
  /** 0 while a draft; 1 when published; one more with each update. */
  version: number;
  title: string;
  severity: Severity;
  summary: string;
  summaryHtml: string;
  analysisId: number | null;
  tlp: Tlp;
  audience: AlertAudience;
  namedUserIds: number[];
  /** The organisations the audience resolved to when published; null for a draft. */
  resolvedOrganisationIds: number[] | null;
  /** Only the indicators the viewer may see (all of them for the fan-out, which filters per recipient). */
  indicators: Indicator[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  retractedBy: string | null;
  retractedAt: string | null;
  retractReason: string | null;
}

/** An alert as one member organisation sees it: whether it is a recipient and acknowledged. */
export interface AlertForViewer extends Alert {
  recipient: { acknowledgedAt: string | null; acknowledgedBy: string | null } | null;
}

const actorOf = (by: Caller) => (by.actor.kind === 'anonymous' ? null : by.actor.label);
const json = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));

function toAlert(r: Selectable<AlertTable>, indicators: Indicator[]): Alert {
  return {
    id: Number(r.id),
    state: r.state,
    version: r.version,
    title: r.title,
    severity: r.severity,
    summary: r.summary,
    summaryHtml: renderMarkdown(r.summary),
    analysisId: r.analysis_id === null ? null : Number(r.analysis_id),
    tlp: r.tlp,
    audience: { kind: r.audience_kind, sectors: json<Sector[]>(r.audience_sectors), organisationIds: json<number[]>(r.audience_organisations) },
    namedUserIds: json<number[]>(r.named_users),
    resolvedOrganisationIds: json<number[] | null>(r.resolved_organisations),
    indicators,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedBy: r.published_by,
    publishedAt: r.published_at,
    retractedBy: r.retracted_by,
    retractedAt: r.retracted_at,
    retractReason: r.retract_reason,
  };
}

/**
 * The alert's audience for the TLP policy. Before publication the organisations are those named (or none); the
 * person who composed a RED alert counts among its named people, so its author can keep reading it.
 */
export function audienceOf(alert: Pick<Alert, 'tlp' | 'audience' | 'namedUserIds' | 'resolvedOrganisationIds'> & { createdByUser?: number | null }): Audience {
  const organisationIds = alert.resolvedOrganisationIds ?? (alert.audience.kind === 'organisations' ? alert.audience.organisationIds : []);
  const named = alert.createdByUser != null ? [...alert.namedUserIds, alert.createdByUser] : alert.namedUserIds;
  return { tlp: alert.tlp, organisationIds, namedUserIds: named };
}

export function rowAudience(r: Selectable<AlertTable>): Audience {
  return audienceOf({
    tlp: r.tlp,
    audience: { kind: r.audience_kind, sectors: json(r.audience_sectors), organisationIds: json(r.audience_organisations) },
    namedUserIds: json(r.named_users),
    resolvedOrganisationIds: json(r.resolved_organisations),
    createdByUser: r.created_by_user === null ? null : Number(r.created_by_user),
  });
}

/** Whether the viewer may read the alert: drafts only for staff, and always the TLP policy. */
export function visibleTo(viewer: Viewer, r: Selectable<AlertTable>): boolean {
  if (r.state === 'draft' && viewer.kind !== 'staff') return false;
  return canSee(viewer, rowAudience(r));
}

/** The indicators of an alert the viewer may see: each indicator's own TLP over the alert's audience. */
function indicatorsFor(viewer: Viewer, audience: Audience, indicators: readonly Indicator[]): Indicator[] {
  return indicatorFilter(audience, indicators)(viewer);
}

/**
 * {@link indicatorsFor} for many viewers of one alert (a fan-out, a preview). Whether a viewer may see an indicator
 * depends only on the indicator's TLP level, so the policy is asked once per viewer and level (not once per viewer and
 * indicator: ten thousand indicators to a thousand members were ten million checks), and viewers who may see the
 * same levels share one list, which lets the messages rendered from it be shared too (alert-messages.ts).
 */
function indicatorFilter(audience: Audience, indicators: readonly Indicator[]): (viewer: Viewer) => Indicator[] {
  const levels = [...new Set(indicators.map((i) => i.tlp))];
  const lists = new Map<string, Indicator[]>();
  return (viewer) => {
    const visible = new Set(levels.filter((tlp) => canSee(viewer, { ...audience, tlp })));
    const key = levels.map((l) => (visible.has(l) ? '1' : '0')).join('');
    let list = lists.get(key);
    if (list === undefined) {
      list = visible.size === levels.length ? [...indicators] : indicators.filter((i) => visible.has(i.tlp));
      lists.set(key, list);
    }
    return list;
  };
}

async function checkInput(db: Kysely<Database>, input: AlertPatch, complete: boolean): Promise<void> {
  const problems: FieldProblem[] = [];
  if (complete || input.title !== undefined) {
    const t = input.title?.trim() ?? '';
    if (t === '' || t.length > 300) problems.push({ field: 'title', message: 'from 1 to 300 characters' });
  }
  if ((complete || input.summary !== undefined) && (input.summary ?? '').length > 100_000) problems.push({ field: 'summary', message: 'at most 100,000 characters' });
  if ((complete || input.severity !== undefined) && !(SEVERITIES as readonly string[]).includes(String(input.severity))) problems.push({ field: 'severity', message: `one of ${SEVERITIES.join(', ')}` });
  const tlp = input.tlp !== undefined ? parseTlp(String(input.tlp)) : null;
  if ((complete || input.tlp !== undefined) && !tlp) problems.push({ field: 'tlp', message: 'one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED' });
  if (complete || input.audience !== undefined) {
    const a = input.audience;
    if (!a || !(AUDIENCE_KINDS as readonly string[]).includes(a.kind)) problems.push({ field: 'audience.kind', message: `one of ${AUDIENCE_KINDS.join(', ')}` });
    else if (a.kind === 'sectors') {
      const bad = (a.sectors ?? []).filter((s) => !isSector(s));
      if ((a.sectors ?? []).length === 0) problems.push({ field: 'audience.sectors', message: 'name at least one sector' });
      if (bad.length > 0) problems.push({ field: 'audience.sectors', message: `unknown sector ${bad.join(', ')}` });
    } else if (a.kind === 'organisations') {
      const ids = [...new Set(a.organisationIds ?? [])];
      if (ids.length === 0) problems.push({ field: 'audience.organisation_ids', message: 'name at least one member organisation' });
      else {
        const found = await db.selectFrom('organisations').select('id').where('kind', '=', 'member').where('id', 'in', ids).execute();
        const known = new Set(found.map((f) => Number(f.id)));
        const missing = ids.filter((id) => !known.has(id));
        if (missing.length > 0) problems.push({ field: 'audience.organisation_ids', message: `not member organisations: ${missing.join(', ')}` });
      }
    }
  }
  if (input.namedUserIds !== undefined && input.namedUserIds.length > 0) {
    const ids = [...new Set(input.namedUserIds)];
    const found = await db.selectFrom('users').select('id').where('id', 'in', ids).where('disabled', '=', 0).execute();
    if (found.length !== ids.length) problems.push({ field: 'named_user_ids', message: 'every named person must be an active user' });
  }
  if (complete && tlp === 'RED' && (input.namedUserIds ?? []).length === 0) problems.push({ field: 'named_user_ids', message: 'a TLP:RED alert goes to named people: name at least one' });
  if (input.analysisId != null) {
    const a = await db.selectFrom('analyses').select('id').where('id', '=', input.analysisId).executeTakeFirst();
    if (!a) problems.push({ field: 'analysis_id', message: `there is no analysis ${input.analysisId}` });
  }
  if (problems.length > 0) throw new BakenError('VALIDATION', { detail: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems });
}

function audienceColumns(a: AlertInput['audience']) {
  return {
    audience_kind: a.kind as AudienceKind,
    audience_sectors: JSON.stringify(a.kind === 'sectors' ? [...new Set(a.sectors ?? [])] : []),
    audience_organisations: JSON.stringify(a.kind === 'organisations' ? [...new Set(a.organisationIds ?? [])] : []),
  };
}

async function linkIndicators(trx: Kysely<Database>, alertId: number, ids: readonly number[]): Promise<void> {
  await trx.deleteFrom('alert_indicators').where('alert_id', '=', alertId).execute();
  for (let i = 0; i < ids.length; i += 500) {
    await trx.insertInto('alert_indicators').values(ids.slice(i, i + 500).map((indicator_id) => ({ alert_id: alertId, indicator_id }))).execute();
  }
}

async function alertRow(db: Kysely<Database>, id: number): Promise<Selectable<AlertTable>> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new BakenError('ALERT_NOT_FOUND', { detail: `There is no alert ${id}.` });
  return row;
}

async function alertIndicators(db: Kysely<Database>, alertId: number): Promise<Indicator[]> {
  const rows = await db.selectFrom('alert_indicators').innerJoin('indicators', 'indicators.id', 'alert_indicators.indicator_id').selectAll('indicators').where('alert_indicators.alert_id', '=', alertId).orderBy('indicators.id').execute();
  return rows.map(toIndicator);
}

/**
 * A new draft; nothing is sent.
 * @example
 * await createAlert(ctx, by, { title: 'Exploitation of CVE-2026-0001', severity: 'high', summary: '...', tlp: 'AMBER', audience: { kind: 'sectors', sectors: ['energy'] }, indicatorIds: [1, 2] });
 */
export async function createAlert(ctx: Context, by: Caller, input: AlertInput): Promise<Alert> {
  const now = ctx.clock.now().toISOString();
  const id = await transact(ctx.db.kysely, async (trx) => {
    await checkInput(trx, input, true);
    const ids = await checkIndicatorIds(trx, input.indicatorIds ?? []);
    const tlp = parseTlp(String(input.tlp))!;
    const row = await trx
      .insertInto('alerts')
      .values({
        state: 'draft',
        version: 0,
        title: input.title.trim(),
        severity: input.severity as Severity,
        summary: input.summary,
        analysis_id: input.analysisId ?? null,
        tlp,
        ...audienceColumns(input.audience),
        named_users: JSON.stringify(tlp === 'RED' ? [...new Set(input.namedUserIds ?? [])] : []),
        resolved_organisations: null,
        created_by: actorOf(by),
        created_by_user: by.actor.kind === 'user' ? by.actor.userId : null,
        created_at: now,
        updated_at: now,
        published_by: null,
        published_at: null,
        retracted_by: null,
        retracted_at: null,
        retract_reason: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const alertId = Number(row.id);
    await linkIndicators(trx, alertId, ids);
    await audit(trx, ctx.clock, by, { action: 'alert.create', target: { type: 'alert', id: alertId }, details: { title: input.title.trim(), tlp } });
    return alertId;
  });
  return getAlert(ctx, id);
}

/** An alert with all its indicators, for staff and the fan-out; readers go through {@link readAlert}. */
export async function getAlert(ctx: Context, id: number): Promise<Alert> {
  const row = await alertRow(ctx.db.kysely, id);
  return toAlert(row, await alertIndicators(ctx.db.kysely, id));
}

/**
 * An alert as the viewer may read it, with only the indicators it may see.
 * @throws {BakenError} ALERT_NOT_FOUND also when the viewer may not see it, so that its existence does not leak.
 */
export async function readAlert(ctx: Context, viewer: Viewer, id: number): Promise<AlertForViewer> {
  const row = await ctx.db.kysely.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !visibleTo(viewer, row)) throw new BakenError('ALERT_NOT_FOUND', { detail: `There is no alert ${id}.` });
  const audience = rowAudience(row);
  const alert = toAlert(row, indicatorsFor(viewer, audience, await alertIndicators(ctx.db.kysely, id)));
  let recipient: AlertForViewer['recipient'] = null;
  if (viewer.kind === 'member') {
    const r = await ctx.db.kysely.selectFrom('alert_recipients').selectAll().where('alert_id', '=', id).where('organisation_id', '=', viewer.organisationId).executeTakeFirst();
    if (r) recipient = { acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by };
  }
  return { ...alert, recipient };
}

export interface AlertListItem {
  id: number;
  state: AlertState;
  version: number;
  title: string;
  severity: Severity;
  tlp: Tlp;
  audienceKind: AudienceKind;
  publishedAt: string | null;
  updatedAt: string;
  /** For a member viewer: whether its organisation received it and when it acknowledged (null: not yet). */
  recipient: { acknowledgedAt: string | null } | null;
}

/**
 * The alerts the viewer may read, newest first (members: published and retracted; staff: drafts too). For a
 * member, those its organisation has not acknowledged yet come first when `unacknowledgedFirst`.
 */
export async function listAlerts(
  ctx: Context,
  viewer: Viewer,
  query: {
    state?: AlertState;
    limit?: number;
    unacknowledgedFirst?: boolean;
    /** A member viewer: only the alerts its organisation received (the member dashboard). */
    receivedOnly?: boolean;
    /** Only alerts addressed to this sector (audience `sectors` naming it). */
    sector?: string;
  } = {},
): Promise<AlertListItem[]> {
  const limit = Math.min(Math.max(query.limit ?? 200, 1), 1000);
  let q = ctx.db.kysely.selectFrom('alerts').selectAll();
  if (query.state) q = q.where('state', '=', query.state);
  if (query.receivedOnly && viewer.kind === 'member') {
    q = q.where('id', 'in', (eb) => eb.selectFrom('alert_recipients').select('alert_id').where('organisation_id', '=', viewer.organisationId));
  }
  // Sector codes are plain kebab-case words, so the quoted code matches exactly one element of the JSON array.
  if (query.sector !== undefined) q = q.where('audience_kind', '=', 'sectors').where('audience_sectors', 'like', `%"${query.sector.replace(/[^a-z0-9-]/g, '')}"%`);
  if (viewer.kind !== 'staff') q = q.where('state', '!=', 'draft');
  // Read in pages and filter with the policy, so an organisation with few alerts among many still gets `limit`.
  const out: Array<Selectable<AlertTable>> = [];
  let before: number | null = null;
  for (;;) {
    let page = q;
    if (before !== null) page = page.where('id', '<', before);
    const rows = await page.orderBy('id', 'desc').limit(500).execute();
    for (const r of rows) if (visibleTo(viewer, r) && out.length < limit) out.push(r);
    if (rows.length < 500 || out.length >= limit) break;
    before = Number(rows[rows.length - 1]!.id);
  }
  const acks = new Map<number, string | null>();
  if (viewer.kind === 'member' && out.length > 0) {
    const rs = await ctx.db.kysely
      .selectFrom('alert_recipients')
      .select(['alert_id', 'acknowledged_at'])
      .where('organisation_id', '=', viewer.organisationId)
      .where('alert_id', 'in', out.map((r) => r.id))
      .execute();
    for (const r of rs) acks.set(Number(r.alert_id), r.acknowledged_at);
  }
  const items = out.map((r) => ({
    id: Number(r.id),
    state: r.state,
    version: r.version,
    title: r.title,
    severity: r.severity,
    tlp: r.tlp,
    audienceKind: r.audience_kind,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    recipient: acks.has(Number(r.id)) ? { acknowledgedAt: acks.get(Number(r.id)) ?? null } : null,
  }));
  if (query.unacknowledgedFirst) {
    const open = (i: AlertListItem) => (i.recipient !== null && i.recipient.acknowledgedAt === null && i.state === 'published' ? 0 : 1);
    items.sort((a, b) => open(a) - open(b));
  }
  return items;
}

export interface PreviewOrganisation {
  organisationId: number;
  name: string;
  sector: string | null;
  /** Addressed by name, or part of a broadcast (all members, sectors). */
  addressed: 'by-name' | 'broadcast';
  contacts: Array<{ email: string; language: 'en' | 'nl' }>;
  webhookUrl: string | null;
  delivery: DeliveryMode;
  /** How many of the alert's indicators this organisation receives (the others are above its TLP rights). */
  indicators: number;
}

export interface AlertPreview {
  tlp: Tlp;
  audience: Audience;
  recipients: PreviewOrganisation[];
  /** In the audience, but not receiving it: by the TLP policy or by its own preferences. */
  excluded: Array<{ organisationId: number; name: string; reason: 'tlp' | 'preferences' }>;
  /** RED: the named people, who receive it by email themselves. */
  people: Array<{ userId: number; email: string; name: string | null; organisationId: number; language: 'en' | 'nl'; indicators: number; viewer: Viewer }>;
  totals: { organisations: number; emails: number; webhooks: number };
  /** Indicators on a MISP warninglist (known false positives): publishing them needs `confirmFlagged`. */
  flagged: FlaggedIndicator[];
}

export interface FlaggedIndicator {
  indicatorId: number;
  type: string;
  value: string;
  /** The warninglists it is on. */
  lists: string[];
}

/** The alert's indicators that are on a warninglist (none without configured lists). */
function flaggedOf(index: IndicatorWarninglistIndex | null, indicators: readonly Indicator[]): FlaggedIndicator[] {
  if (!index) return [];
  return indicators.flatMap((i) => {
    const lists = index.match(i.type, i.value);
    return lists.length > 0 ? [{ indicatorId: i.id, type: i.type, value: i.value, lists }] : [];
  });
}

/** A preview with the webhook secrets the fan-out signs with; never leaves this module. */
type Recipients = Omit<AlertPreview, 'flagged'> & { secrets: Map<number, { url: string; secret: string }> };

/** Resolves the audience and the recipients in the caller's transaction: what publishing would send now. */
async function computeRecipients(db: Kysely<Database>, row: Selectable<AlertTable>, indicators: readonly Indicator[], onlyOrganisations?: readonly number[]): Promise<Recipients> {
  const secrets = new Map<number, { url: string; secret: string }>();
  const tlp = row.tlp;
  const kind = row.audience_kind;
  const named: number[] = json(row.named_users);
  const recipients: PreviewOrganisation[] = [];
  const excluded: AlertPreview['excluded'] = [];
  const people: AlertPreview['people'] = [];

  if (tlp === 'RED') {
    const users = named.length === 0 ? [] : await db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.language', 'users.organisation_id', 'organisations.language as org_language', 'organisations.kind'])
      .where('users.id', 'in', named)
      .where('users.disabled', '=', 0)
      .orderBy('users.id')
      .execute();
    const orgIds = [...new Set(users.filter((u) => u.kind === 'member').map((u) => Number(u.organisation_id)))];
    const audience: Audience = { tlp, organisationIds: orgIds, namedUserIds: named };
    for (const u of users) {
      const viewer: Viewer = u.role === 'member' ? { kind: 'member', organisationId: Number(u.organisation_id), userId: Number(u.id) } : { kind: 'staff', role: u.role, userId: Number(u.id) };
      if (!canSee(viewer, audience)) continue;
      people.push({ userId: Number(u.id), email: u.email, name: u.name, organisationId: Number(u.organisation_id), language: u.language ?? u.org_language, indicators: indicatorsFor(viewer, audience, indicators).length, viewer });
    }
    return { tlp, audience, recipients, excluded, people, totals: { organisations: orgIds.length, emails: people.length, webhooks: 0 }, secrets };
  }

  let orgIds: number[];
  if (onlyOrganisations) orgIds = [...onlyOrganisations];
  else if (kind === 'organisations') orgIds = json<number[]>(row.audience_organisations);
  else {
    let q = db.selectFrom('organisations').select('id').where('kind', '=', 'member');
    if (kind === 'sectors') {
      const sectors: string[] = json(row.audience_sectors);
      q = q.where('sector', 'in', sectors.length > 0 ? sectors : ['']);
    }
    orgIds = (await q.orderBy('id').execute()).map((r) => Number(r.id));
  }
  // Fail closed: the audience lists every organisation it reaches (tlp.ts), resolved now.
  const resolvedIds = onlyOrganisations ? (json<number[] | null>(row.resolved_organisations) ?? orgIds) : orgIds;
  const audience: Audience = { tlp, organisationIds: resolvedIds, namedUserIds: [] };
  const sectors: string[] = kind === 'sectors' ? json(row.audience_sectors) : [];
  const visibleTo = indicatorFilter(audience, indicators);
  for (const m of await memberRecipients(db, orgIds)) {
    if (!mayPushToOrganisation(audience, m.organisationId)) {
      excluded.push({ organisationId: m.organisationId, name: m.name, reason: 'tlp' });
      continue;
    }
    // Updates and retractions go to whoever received the alert, whatever their preferences say now.
    if (!onlyOrganisations && !wantsAlert(m.preferences, { tlp, sectors, addressedByName: kind === 'organisations' })) {
      excluded.push({ organisationId: m.organisationId, name: m.name, reason: 'preferences' });
      continue;
    }
    const viewer: Viewer = { kind: 'member', organisationId: m.organisationId, userId: null };
    if (m.webhook) secrets.set(m.organisationId, m.webhook);
    recipients.push({
      organisationId: m.organisationId,
      name: m.name,
      sector: m.sector,
      addressed: kind === 'organisations' ? 'by-name' : 'broadcast',
      contacts: m.contacts,
      webhookUrl: m.webhook?.url ?? null,
      delivery: m.preferences.delivery,
      indicators: visibleTo(viewer).length,
    });
  }
  return {
    tlp,
    audience,
    recipients,
    excluded,
    people,
    totals: { organisations: recipients.length, emails: recipients.reduce((n, r) => n + r.contacts.length, 0), webhooks: recipients.filter((r) => r.webhookUrl !== null).length },
    secrets,
  };
}

function withoutSecrets({ secrets: _secrets, ...preview }: Recipients, flagged: FlaggedIndicator[] = []): AlertPreview {
  return { ...preview, flagged };
}

/**
 * Who would receive the alert if it were published now (for a published alert: who received it), computed with
 * the TLP policy and each member's preferences. Sends nothing.
 */
export async function previewAlert(ctx: Context, id: number): Promise<AlertPreview> {
  const row = await alertRow(ctx.db.kysely, id);
  const indicators = await alertIndicators(ctx.db.kysely, id);
  const flagged = flaggedOf(await indicatorWarninglists(ctx), indicators);
  if (row.state === 'draft') return withoutSecrets(await computeRecipients(ctx.db.kysely, row, indicators), flagged);
  return withoutSecrets(await computeRecipients(ctx.db.kysely, row, indicators, await recipientOrganisations(ctx.db.kysely, id)), flagged);
}

async function recipientOrganisations(db: Kysely<Database>, alertId: number): Promise<number[]> {
  return (await db.selectFrom('alert_recipients').select('organisation_id').where('alert_id', '=', alertId).orderBy('organisation_id').execute()).map((r) => Number(r.organisation_id));
}

/** Queues the emails and webhook calls of one event for every recipient, in the caller's transaction. */
async function fanOut(ctx: Context, trx: Kysely<Database>, alert: Alert, preview: Recipients, event: AlertEventType, note: string | null): Promise<void> {
  const url = alertUrl(ctx.config.publicUrl, alert.id);
  const domain = new URL(ctx.config.publicUrl).hostname;
  const base = `alert:${alert.id}:v${alert.version}:${event}`;
  const refId = (orgId: number) => `${alert.id}:${orgId}`;
  const headers = { 'X-Baken-Alert': String(alert.id), 'X-Baken-TLP': alert.tlp };
  // Queued together at the end, in multi-row inserts; bodies and emails share their rendered parts.
  const webhooks: Parameters<typeof enqueueWebhooks>[2][number][] = [];
  const emails: Parameters<typeof enqueueEmails>[2][number][] = [];
  const digest: DigestItemInput[] = [];
  const bodies = new Map<string, string>();
  const templates: Parameters<typeof renderAlertEmail>[1] = new Map();
  const visibleTo = indicatorFilter(preview.audience, alert.indicators);
  for (const r of preview.recipients) {
    const indicators = visibleTo({ kind: 'member', organisationId: r.organisationId, userId: null });
    // A digest member's email waits for its daily digest (src/hub/digest); its webhook below still goes at once.
    if (r.delivery === 'digest') digest.push({ organisationId: r.organisationId, kind: event, alertId: alert.id, version: alert.version, note, at: alert.updatedAt });
    else for (const c of r.contacts) {
      const { subject, text } = renderAlertEmail({ alert, event, language: c.language, indicators, url, organisationName: r.name, note }, templates);
      emails.push({ idempotencyKey: `${base}:org:${r.organisationId}:email:${c.email}`, topic: 'hub.alert', refType: 'alert', refId: refId(r.organisationId), messageIdDomain: domain, to: [c.email], subject, text, headers });
    }
    const webhook = preview.secrets.get(r.organisationId);
    if (webhook) {
      webhooks.push({
        url: webhook.url,
        secret: webhook.secret,
        event,
        body: null,
        bodyJson: alertWebhookJson({ alert, event, indicators, url, organisationId: r.organisationId, note }, bodies),
        idempotencyKey: `${base}:org:${r.organisationId}:webhook`,
        refType: 'alert',
        refId: refId(r.organisationId),
        topic: 'hub.alert.webhook',
      });
    }
  }
  for (const p of preview.people) {
    const { subject, text } = renderAlertEmail({ alert, event, language: p.language, indicators: visibleTo(p.viewer), url, organisationName: p.name ?? p.email, note }, templates);
    emails.push({ idempotencyKey: `${base}:user:${p.userId}:email`, topic: 'hub.alert', refType: 'alert', refId: refId(p.organisationId), messageIdDomain: domain, to: [p.email], subject, text, headers });
  }
  await holdAllForDigest(trx, digest);
  await enqueueEmails(trx, ctx.clock, emails);
  await enqueueWebhooks(trx, ctx.clock, webhooks);
}

/** On every node's stream (hub-event-relay.ts). */
function emitAfterCommit(ctx: Context, type: AlertEventType, alert: Alert, audience: Audience, at: string): Promise<void> {
  return publishHubEvents(ctx, [{ type, alertId: alert.id, version: alert.version, title: alert.title, severity: alert.severity, audience, at }]);
}

/**
 * Publishes a draft in one transaction: resolves the audience, records the recipient organisations, queues one
 * email per alert contact (in its language) and one signed webhook call per member, and notes the alert in its
 * indicators' histories. Emits `alert.published` (on every node) after the commit.
 * Indicators on a MISP warninglist are never sent silently: without `confirmFlagged` publishing refuses and names
 * them (the preview lists them too); with it they go out and the audit log records that they were confirmed.
 * @throws {BakenError} ALERT_STATE when it is not a draft; VALIDATION when the audience reaches nobody;
 *   ALERT_FLAGGED_INDICATORS when indicators are on a warninglist and `confirmFlagged` is not set.
 */
export async function publishAlert(ctx: Context, by: Caller, id: number, options: { confirmFlagged?: boolean } = {}): Promise<{ alert: Alert; preview: AlertPreview }> {
  const now = ctx.clock.now().toISOString();
  const warninglists = await indicatorWarninglists(ctx);
  const result = await transact(ctx.db.kysely, async (trx) => {
    const row = await alertRow(trx, id);
    if (row.state !== 'draft') throw new BakenError('ALERT_STATE', { detail: `Alert ${id} is ${row.state} already.` });
    const indicators = await alertIndicators(trx, id);
    const flagged = flaggedOf(warninglists, indicators);
    if (flagged.length > 0 && !options.confirmFlagged) {
      throw new BakenError('ALERT_FLAGGED_INDICATORS', {
        detail: `${flagged.length} indicator(s) on a warninglist: ${flagged.slice(0, 5).map((f) => `${f.value} (${f.lists.join(', ')})`).join('; ')}. Publish with confirm_flagged, or take them out of the alert.`,
        problems: flagged.slice(0, 20).map((f) => ({ field: `indicator ${f.indicatorId}`, message: `${f.type} ${f.value} is on ${f.lists.join(', ')}` })),
      });
    }
    const preview = await computeRecipients(trx, row, indicators);
    if (preview.audience.organisationIds.length === 0 && preview.people.length === 0) throw invalid('audience', 'it reaches no member organisation (and no named person); nothing was published');
    await trx
      .updateTable('alerts')
      .set({ state: 'published', version: 1, resolved_organisations: JSON.stringify(preview.audience.organisationIds), published_by: actorOf(by), published_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await trx.insertInto('alert_versions').values({ alert_id: id, version: 1, title: row.title, severity: row.severity, summary: row.summary, indicator_ids: JSON.stringify(indicators.map((i) => i.id)), note: null, published_by: actorOf(by), published_at: now }).execute();
    const orgs = [...new Set([...preview.recipients.map((r) => r.organisationId), ...preview.people.filter((p) => preview.audience.organisationIds.includes(p.organisationId)).map((p) => p.organisationId)])];
    for (let i = 0; i < orgs.length; i += 500) {
      await trx.insertInto('alert_recipients').values(orgs.slice(i, i + 500).map((o) => ({ alert_id: id, organisation_id: o, added_at: now, acknowledged_at: null, acknowledged_by: null }))).execute();
    }
    const alert = toAlert(await alertRow(trx, id), indicators);
    await fanOut(ctx, trx, alert, preview, 'alert.published', null);
    await appendIndicatorEvents(trx, indicators.map((i) => ({ indicatorId: i.id, kind: 'alert' as const, at: now, actor: actorOf(by), ref: { type: 'alert', id }, details: { version: 1, title: alert.title, event: 'published' } })));
    await audit(trx, ctx.clock, by, { action: 'alert.publish', target: { type: 'alert', id }, details: { tlp: alert.tlp, organisations: preview.totals.organisations, emails: preview.totals.emails, webhooks: preview.totals.webhooks, ...(flagged.length > 0 ? { flaggedConfirmed: flagged.map((f) => f.indicatorId) } : {}) } });
    return { alert, preview: withoutSecrets(preview, flagged) };
  });
  await emitAfterCommit(ctx, 'alert.published', result.alert, result.preview.audience, now);
  return result;
}

/**
 * Changes an alert. A draft changes in place (anything). A published alert gets a new version (title, severity,
 * summary, analysis, indicators; never its TLP or audience), and the update reaches the organisations that
 * received it, the same ways (`alert.updated`).
 */
export async function updateAlert(ctx: Context, by: Caller, id: number, patch: AlertPatch): Promise<Alert> {
  const now = ctx.clock.now().toISOString();
  const emitted = await transact(ctx.db.kysely, async (trx) => {
    const row = await alertRow(trx, id);
    await checkInput(trx, patch, false);
    const ids = patch.indicatorIds !== undefined ? await checkIndicatorIds(trx, patch.indicatorIds) : null;
    if (row.state === 'retracted') throw new BakenError('ALERT_STATE', { detail: `Alert ${id} has been retracted.` });
    const content = {
      ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
      ...(patch.severity !== undefined ? { severity: patch.severity as Severity } : {}),
      ...(patch.summary !== undefined ? { summary: patch.summary } : {}),
      ...(patch.analysisId !== undefined ? { analysis_id: patch.analysisId } : {}),
    };
    if (row.state === 'draft') {
      const tlp = patch.tlp !== undefined ? parseTlp(String(patch.tlp))! : row.tlp;
      const namedUsers = patch.namedUserIds !== undefined ? [...new Set(patch.namedUserIds)] : json<number[]>(row.named_users);
      if (tlp === 'RED' && namedUsers.length === 0) throw invalid('named_user_ids', 'a TLP:RED alert goes to named people: name at least one');
      await trx
        .updateTable('alerts')
        .set({ ...content, tlp, ...(patch.audience ? audienceColumns(patch.audience) : {}), named_users: JSON.stringify(tlp === 'RED' ? namedUsers : []), updated_at: now })
        .where('id', '=', id)
        .execute();
      if (ids) await linkIndicators(trx, id, ids);
      await audit(trx, ctx.clock, by, { action: 'alert.update', target: { type: 'alert', id }, details: { changed: Object.keys(patch) } });
      return null;
    }
    if ((patch.tlp !== undefined && parseTlp(String(patch.tlp)) !== row.tlp) || patch.audience !== undefined || patch.namedUserIds !== undefined) {
      throw new BakenError('ALERT_STATE', { detail: 'The TLP and the audience of a published alert stay as published; retract it and publish a new alert instead.' });
    }
    const before = new Set((await alertIndicators(trx, id)).map((i) => i.id));
    const version = row.version + 1;
    await trx.updateTable('alerts').set({ ...content, version, updated_at: now }).where('id', '=', id).execute();
    if (ids) await linkIndicators(trx, id, ids);
    const indicators = await alertIndicators(trx, id);
    const note = patch.note?.trim() || null;
    const fresh = await alertRow(trx, id);
    await trx.insertInto('alert_versions').values({ alert_id: id, version, title: fresh.title, severity: fresh.severity, summary: fresh.summary, indicator_ids: JSON.stringify(indicators.map((i) => i.id)), note, published_by: actorOf(by), published_at: now }).execute();
    const alert = toAlert(fresh, indicators);
    const preview = await computeRecipients(trx, fresh, indicators, await recipientOrganisations(trx, id));
    await fanOut(ctx, trx, alert, preview, 'alert.updated', note);
    await appendIndicatorEvents(trx, indicators.filter((i) => !before.has(i.id)).map((i) => ({ indicatorId: i.id, kind: 'alert' as const, at: now, actor: actorOf(by), ref: { type: 'alert', id }, details: { version, title: alert.title, event: 'updated' } })));
    await audit(trx, ctx.clock, by, { action: 'alert.update', target: { type: 'alert', id }, details: { changed: Object.keys(patch), version } });
    return { alert, audience: preview.audience };
  });
  if (emitted) await emitAfterCommit(ctx, 'alert.updated', emitted.alert, emitted.audience, now);
  return getAlert(ctx, id);
}

/**
 * Retracts a published alert: members are told, the same ways and to the same organisations, to disregard it
 * (`alert.retracted`). It stays readable, marked as retracted.
 */
export async function retractAlert(ctx: Context, by: Caller, id: number, reason?: string | null): Promise<Alert> {
  const now = ctx.clock.now().toISOString();
  const why = reason?.trim() ? reason.trim().slice(0, 2000) : null;
  const done = await transact(ctx.db.kysely, async (trx) => {
    const row = await alertRow(trx, id);
    if (row.state !== 'published') throw new BakenError('ALERT_STATE', { detail: row.state === 'draft' ? `Alert ${id} is a draft: nothing to retract (delete nothing, just leave it).` : `Alert ${id} has been retracted already.` });
    await trx.updateTable('alerts').set({ state: 'retracted', retracted_by: actorOf(by), retracted_at: now, retract_reason: why, updated_at: now }).where('id', '=', id).execute();
    const indicators = await alertIndicators(trx, id);
    const fresh = await alertRow(trx, id);
    const alert = toAlert(fresh, indicators);
    const preview = await computeRecipients(trx, fresh, indicators, await recipientOrganisations(trx, id));
    await fanOut(ctx, trx, alert, preview, 'alert.retracted', null);
    await audit(trx, ctx.clock, by, { action: 'alert.retract', target: { type: 'alert', id }, details: { reason: why } });
    return { alert, audience: preview.audience };
  });
  await emitAfterCommit(ctx, 'alert.retracted', done.alert, done.audience, now);
  return done.alert;
}

/**
 * A member organisation acknowledges an alert it received (once; again is a no-op that answers the first).
 * @throws {BakenError} ALERT_NOT_FOUND when the viewer may not see it; ALERT_NOT_RECIPIENT when its organisation did not receive it.
 */
export async function acknowledgeAlert(ctx: Context, by: Caller, viewer: Viewer, id: number): Promise<{ acknowledgedAt: string; acknowledgedBy: string | null }> {
  const now = ctx.clock.now().toISOString();
  return transact(ctx.db.kysely, async (trx) => {
    const row = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !visibleTo(viewer, row)) throw new BakenError('ALERT_NOT_FOUND', { detail: `There is no alert ${id}.` });
    if (viewer.kind !== 'member') throw new BakenError('ALERT_NOT_RECIPIENT', { detail: 'Only member organisations acknowledge alerts.' });
    const r = await trx.selectFrom('alert_recipients').selectAll().where('alert_id', '=', id).where('organisation_id', '=', viewer.organisationId).executeTakeFirst();
    if (!r) throw new BakenError('ALERT_NOT_RECIPIENT');
    if (r.acknowledged_at) return { acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by };
    await trx.updateTable('alert_recipients').set({ acknowledged_at: now, acknowledged_by: actorOf(by) }).where('alert_id', '=', id).where('organisation_id', '=', viewer.organisationId).execute();
    await audit(trx, ctx.clock, by, { action: 'alert.acknowledge', target: { type: 'alert', id }, details: { organisationId: viewer.organisationId } });
    return { acknowledgedAt: now, acknowledgedBy: actorOf(by) };
  });
}

export interface AlertDelivery {
  organisationId: number;
  name: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** Every email and webhook call queued for this organisation about this alert (all versions and events). */
  messages: Array<{ channel: 'email' | 'webhook'; destination: string; status: string; attempts: number; lastError: string | null; sentAt: string | null }>;
}

/** Per recipient organisation: acknowledgement and the delivery status of each message, for analysts. */
export async function alertDeliveries(ctx: Context, id: number): Promise<AlertDelivery[]> {
  const k = ctx.db.kysely;
  await alertRow(k, id);
  const recipients = await k
    .selectFrom('alert_recipients')
    .innerJoin('organisations', 'organisations.id', 'alert_recipients.organisation_id')
    .select(['alert_recipients.organisation_id', 'organisations.name', 'alert_recipients.acknowledged_at', 'alert_recipients.acknowledged_by'])
    .where('alert_recipients.alert_id', '=', id)
    .orderBy('organisations.name')
    .execute();
  const refIds = recipients.map((r) => `${id}:${Number(r.organisation_id)}`);
  const rows = refIds.length === 0 ? [] : await k.selectFrom('outbox').select(['channel', 'destination', 'status', 'attempts', 'last_error', 'sent_at', 'ref_id']).where('ref_type', '=', 'alert').where('ref_id', 'in', refIds).orderBy('id').execute();
  const byRef = new Map<string, AlertDelivery['messages']>();
  for (const r of rows) {
    const list = byRef.get(r.ref_id ?? '') ?? [];
    list.push({ channel: r.channel as 'email' | 'webhook', destination: r.destination, status: r.status, attempts: r.attempts, lastError: r.last_error, sentAt: r.sent_at });
    byRef.set(r.ref_id ?? '', list);
  }
  return recipients.map((r) => ({
    organisationId: Number(r.organisation_id),
    name: r.name,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    messages: byRef.get(`${id}:${Number(r.organisation_id)}`) ?? [],
  }));
}

/** The published versions of an alert, newest first. */
export async function alertVersions(ctx: Context, id: number): Promise<Array<{ version: number; title: string; severity: Severity; note: string | null; publishedBy: string | null; publishedAt: string }>> {
  await alertRow(ctx.db.kysely, id);
  const rows = await ctx.db.kysely.selectFrom('alert_versions').selectAll().where('alert_id', '=', id).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, title: r.title, severity: r.severity, note: r.note, publishedBy: r.published_by, publishedAt: r.published_at }));
}
