/**
 * What an alert looks like outside Baken: the email to a member's alert contact (English or Dutch) and the JSON
 * body of a webhook call. Both are rendered completely when queued, with only the indicators the recipient may
 * receive (the caller filters them with the TLP policy).
 */
import type { Indicator } from '../indicators/indicators.js';
import { tlpLabel, type Tlp } from '../tlp.js';
import type { Alert } from './alerts.js';

export type AlertEventType = 'alert.published' | 'alert.updated' | 'alert.retracted';
type Lang = 'en' | 'nl';

export const SEVERITY: Record<Lang, Record<Alert['severity'], string>> = {
  en: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
  nl: { low: 'laag', medium: 'middel', high: 'hoog', critical: 'kritiek' },
};

/** What each TLP level asks of the recipient, as FIRST's TLP 2.0 puts it. */
export const TLP_MEANING: Record<Lang, Record<Tlp, string>> = {
  en: {
    CLEAR: 'Recipients may share this without restriction.',
    GREEN: 'Limited disclosure: recipients may share this within their community, but not publicly.',
    AMBER: 'Limited disclosure: recipients may share this only within their organisation and with its clients, on a need-to-know basis.',
    'AMBER+STRICT': 'Limited disclosure: recipients may share this only within their own organisation.',
    RED: 'For the eyes and ears of the named recipients only: do not share it further.',
  },
  nl: {
    CLEAR: 'Ontvangers mogen dit zonder beperking delen.',
    GREEN: 'Beperkte verspreiding: ontvangers mogen dit binnen hun gemeenschap delen, maar niet openbaar.',
    AMBER: 'Beperkte verspreiding: ontvangers mogen dit alleen binnen hun organisatie en met haar klanten delen, op need-to-know-basis.',
    'AMBER+STRICT': 'Beperkte verspreiding: ontvangers mogen dit alleen binnen hun eigen organisatie delen.',
    RED: 'Alleen voor de genoemde ontvangers: niet verder delen.',
  },
};

const WORDS = {
  en: {
    'alert.published': 'Alert',
    'alert.updated': 'Update',
    'alert.retracted': 'Retracted',
    severity: 'Severity',
    indicators: 'Indicators',
    none: '(none in this alert for you)',
    link: 'Read and acknowledge it at',
    version: 'Version',
    updated: 'This alert has been updated.',
    retracted: 'This alert has been retracted: disregard it.',
    reason: 'Reason',
    note: 'What changed',
    footer: 'You receive this as an alert contact of {org} in the detection network.',
    more: '... and {n} more: all of them at {url} and in the API',
  },
  nl: {
    'alert.published': 'Melding',
    'alert.updated': 'Bijgewerkt',
    'alert.retracted': 'Ingetrokken',
    severity: 'Ernst',
    indicators: 'Indicatoren',
    none: '(geen in deze melding voor u)',
    link: 'Lees en bevestig de melding op',
    version: 'Versie',
    updated: 'Deze melding is bijgewerkt.',
    retracted: 'Deze melding is ingetrokken: negeer haar.',
    reason: 'Reden',
    note: 'Wat er veranderde',
    footer: 'U ontvangt dit als meldingscontact van {org} in het detectienetwerk.',
    more: '... en nog {n}: allemaal op {url} en in de API',
  },
} as const;

/**
 * How many indicators an email lists and a webhook call carries inline. A larger alert says how many there are and
 * where to get them all (the alert page; for machines `GET /api/v1/alerts/{id}`, TAXII, the exports): ten thousand
 * indicators in each of a thousand calls would be over a gigabyte queued, signed and sent for one alert, and an email
 * nobody reads to the end.
 */
export const EMAIL_LISTED_INDICATORS = 200;
export const WEBHOOK_INLINE_INDICATORS = 500;

export function alertUrl(publicUrl: string, alertId: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts/${alertId}`;
}

/** A rendered email with the organisation's name left out: what one fan-out shares between its recipients. */
interface EmailTemplate {
  subject: string;
  head: string;
  footer: string;
  tail: string;
}

/** A stable key per indicator list (by identity), so that a fan-out's cache need not join ten thousand ids per member. */
const listKeys = new WeakMap<readonly Indicator[], string>();
let nextListKey = 0;
function listKey(indicators: readonly Indicator[]): string {
  let key = listKeys.get(indicators);
  if (key === undefined) {
    key = `list${nextListKey++}`;
    listKeys.set(indicators, key);
  }
  return key;
}

/**
 * The email for one alert contact, in the contact's language.
 * A fan-out passes one `cache` for all recipients of one event of one alert: the email is then rendered once per
 * language and list of indicators (recipients who may see the same indicators share the list, see
 * `indicatorFilter` in alerts.ts), and only the footer naming the organisation differs.
 * @example renderAlertEmail({ alert, event: 'alert.published', language: 'nl', indicators, url, organisationName })
 */
export function renderAlertEmail(
  input: { alert: Alert; event: AlertEventType; language: Lang; indicators: readonly Indicator[]; url: string; organisationName: string; note?: string | null },
  cache: Map<string, EmailTemplate> = new Map(),
): { subject: string; text: string } {
  const key = `${input.language}:${listKey(input.indicators)}`;
  let t = cache.get(key);
  if (t === undefined) {
    t = renderAlertEmailTemplate(input);
    cache.set(key, t);
  }
  return { subject: t.subject, text: t.head + t.footer.replace('{org}', () => input.organisationName) + t.tail };
}

function renderAlertEmailTemplate(input: { alert: Alert; event: AlertEventType; language: Lang; indicators: readonly Indicator[]; url: string; note?: string | null }): EmailTemplate {
  const { alert, event, language: lang, indicators, url } = input;
  const w = WORDS[lang];
  const label = tlpLabel(alert.tlp);
  const subject = `[${label}] ${w[event]}: ${alert.title} (${SEVERITY[lang][alert.severity]})`;
  const lines: string[] = [label, TLP_MEANING[lang][alert.tlp], '', alert.title, '='.repeat(Math.min(alert.title.length, 78)), ''];
  if (event === 'alert.updated') lines.push(w.updated, ...(input.note ? [`${w.note}: ${input.note}`] : []), '');
  if (event === 'alert.retracted') lines.push(w.retracted, ...(alert.retractReason ? [`${w.reason}: ${alert.retractReason}`] : []), '');
  lines.push(`${w.severity}: ${SEVERITY[lang][alert.severity]}`, `${w.version}: ${alert.version}`, '', alert.summary.trim(), '', `${w.indicators}:`);
  if (indicators.length === 0) lines.push(w.none);
  for (const i of indicators.slice(0, EMAIL_LISTED_INDICATORS)) lines.push(`  ${i.type.padEnd(7)} ${defang(i)}  [${tlpLabel(i.tlp)}]`);
  if (indicators.length > EMAIL_LISTED_INDICATORS) lines.push(`  ${w.more.replace('{n}', String(indicators.length - EMAIL_LISTED_INDICATORS)).replace('{url}', url)}`);
  lines.push('', `${w.link}: ${url}`, '', '-- ');
  return { subject, head: lines.join('\n') + '\n', footer: w.footer, tail: `\n${label}\n` };
}

/** Values that mail software would make clickable are defanged in email (not in webhooks, which machines read). */
export function defang(i: Indicator): string {
  if (i.type === 'url') return i.value.replace(/^http/, 'hxxp').replace(/\./g, '[.]');
  if (i.type === 'domain' || i.type === 'email') return i.value.replace(/\./g, '[.]');
  return i.value;
}

/** The JSON body of a webhook call about an alert (docs/hub-alerts.md). */
export function alertWebhookBody(input: { alert: Alert; event: AlertEventType; indicators: readonly Indicator[]; url: string; organisationId: number; note?: string | null }): Record<string, unknown> {
  return JSON.parse(alertWebhookJson(input)) as Record<string, unknown>;
}

function webhookAlert(input: { alert: Alert; event: AlertEventType; url: string; note?: string | null }) {
  const a = input.alert;
  return {
    id: a.id,
    version: a.version,
    state: a.state,
    title: a.title,
    severity: a.severity,
    tlp: a.tlp,
    summary: a.summary,
    analysis_id: a.analysisId,
    audience: { kind: a.audience.kind, sectors: a.audience.sectors },
    published_at: a.publishedAt,
    updated_at: a.updatedAt,
    retracted_at: a.retractedAt,
    retract_reason: a.retractReason,
    note: input.note ?? null,
    url: input.url,
  };
}

function webhookIndicator(i: Indicator) {
  return { type: i.type, value: i.value, tlp: i.tlp, confidence: i.confidence, labels: i.labels, valid_from: i.validFrom, valid_until: i.validUntil, asn: i.asn, country: i.country };
}

/**
 * The webhook body, serialised. A fan-out passes one `cache` for all recipients of one event of one alert: the alert
 * part and each distinct list of inline indicators are then serialised once, not once per member (a thousand members
 * mostly see the same indicators).
 */
export function alertWebhookJson(
  input: { alert: Alert; event: AlertEventType; indicators: readonly Indicator[]; url: string; organisationId: number; note?: string | null },
  cache: Map<string, string> = new Map(),
): string {
  let alert = cache.get('alert');
  if (alert === undefined) {
    alert = JSON.stringify(webhookAlert(input));
    cache.set('alert', alert);
  }
  const key = `indicators:${listKey(input.indicators)}`;
  let indicators = cache.get(key);
  if (indicators === undefined) {
    indicators = JSON.stringify(input.indicators.slice(0, WEBHOOK_INLINE_INDICATORS).map(webhookIndicator));
    cache.set(key, indicators);
  }
  const apiUrl = input.url.replace(/\/alerts\/(\d+)$/, '/api/v1/alerts/$1');
  return (
    `{"event":${JSON.stringify(input.event)},"alert":${alert},"indicators":${indicators},` +
    `"indicators_total":${input.indicators.length},"indicators_url":${JSON.stringify(apiUrl)},"recipient":{"organisation_id":${input.organisationId}}}`
  );
}
