/**
 * The daily digest email to one alert contact (English or Dutch): the alerts published for its organisation, the
 * updates and retractions, and the sightings re-broadcast since the last digest. Each alert carries its own TLP
 * label and only the indicators the organisation may receive; the subject carries the strictest level in it.
 */
import { sectorLabel } from '../sightings/sighting-messages.js';
import { defang, SEVERITY, TLP_MEANING, type AlertForViewer } from '../alerts/index.js';
import { tlpLabel, tlpRank, type Tlp } from '../tlp.js';

type Lang = 'en' | 'nl';

/** One alert in the digest, as the organisation may read it now, with what happened to it in the period. */
export interface DigestAlert {
  alert: AlertForViewer;
  url: string;
  /** Published in the period (it may have been updated since). */
  published: boolean;
  /** The notes of the updates in the period, oldest first (null: an update without a note). */
  updates: Array<{ version: number; note: string | null }>;
  retracted: boolean;
  /** Sightings of its indicators re-broadcast in the period, and the sectors they came from (never names). */
  sightings: number;
  /** Sector codes; null for a reporter without one. */
  sightingSectors: Array<string | null>;
}

const WORDS = {
  en: {
    subject: 'Daily digest {day}',
    alerts: '{n} alert(s)',
    intro: 'The daily digest of {org}: what the detection network sent your organisation from {from} to {to} (UTC).',
    published: 'New alerts',
    updated: 'Updated alerts',
    retracted: 'Retracted alerts: disregard them',
    sightings: 'Sightings by other members',
    severity: 'severity',
    version: 'version',
    updatedTo: 'Updated to version {v}',
    reason: 'Reason',
    indicators: 'Indicators',
    none: '(none in this alert for you)',
    more: '(and {n} more on the alert page)',
    seen: '{n} sighting(s) of its indicators, in the sector(s) {sectors}. Check whether your organisation sees them too.',
    footer: 'You receive this as an alert contact of {org}, which chose one alert email a day (at {hour}:00 UTC). Its webhook and the live stream carry every alert at once.',
  },
  nl: {
    subject: 'Dagelijks overzicht {day}',
    alerts: '{n} melding(en)',
    intro: 'Het dagelijkse overzicht van {org}: wat het detectienetwerk uw organisatie stuurde van {from} tot {to} (UTC).',
    published: 'Nieuwe meldingen',
    updated: 'Bijgewerkte meldingen',
    retracted: 'Ingetrokken meldingen: negeer ze',
    sightings: 'Waarnemingen door andere leden',
    severity: 'ernst',
    version: 'versie',
    updatedTo: 'Bijgewerkt tot versie {v}',
    reason: 'Reden',
    indicators: 'Indicatoren',
    none: '(geen in deze melding voor u)',
    more: '(en {n} meer op de pagina van de melding)',
    seen: '{n} waarneming(en) van de indicatoren, in de sector(en) {sectors}. Ga na of uw organisatie ze ook ziet.',
    footer: 'U ontvangt dit als meldingscontact van {org}, dat koos voor één meldingsmail per dag (om {hour}:00 UTC). De webhook en de live stream brengen elke melding meteen.',
  },
} as const;

/** Indicators listed per alert; the rest are on the alert page, so that a digest stays readable. */
const MAX_INDICATORS = 50;
const MAX_SUMMARY = 1200;

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}`;

/** The strictest TLP level among the alerts: the digest as a whole is marked with it. */
export function digestTlp(alerts: readonly DigestAlert[]): Tlp {
  return alerts.reduce<Tlp>((max, a) => (tlpRank(a.alert.tlp) > tlpRank(max) ? a.alert.tlp : max), 'CLEAR');
}

/**
 * @example renderDigestEmail({ alerts, language: 'nl', organisationName: 'Waterbedrijf Oost', day: '2026-03-02', from, to, hour: 7 })
 */
export function renderDigestEmail(input: { alerts: readonly DigestAlert[]; language: Lang; organisationName: string; day: string; from: string; to: string; hour: number }): { subject: string; text: string } {
  const lang = input.language;
  const w = WORDS[lang];
  const tlp = digestTlp(input.alerts);
  const label = tlpLabel(tlp);
  const lines: string[] = [label, TLP_MEANING[lang][tlp], '', fill(w.intro, { org: input.organisationName, from: when(input.from), to: when(input.to) }), ''];
  const heading = (title: string, n: number) => lines.push(`${title} (${n})`, '-'.repeat(Math.min(title.length + 4, 78)), '');
  const head = (d: DigestAlert) => `[${tlpLabel(d.alert.tlp)}] ${d.alert.title} (${w.severity} ${SEVERITY[lang][d.alert.severity]}, ${w.version} ${d.alert.version})`;

  const retracted = input.alerts.filter((d) => d.retracted);
  const published = input.alerts.filter((d) => !d.retracted && d.published);
  const updated = input.alerts.filter((d) => !d.retracted && !d.published && d.updates.length > 0);
  const sighted = input.alerts.filter((d) => d.sightings > 0 && !d.retracted);

  if (published.length > 0) {
    heading(w.published, published.length);
    for (const d of published) {
      lines.push(head(d), '');
      const summary = d.alert.summary.trim();
      lines.push(summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY)}…` : summary, '');
      for (const u of d.updates) lines.push(`${fill(w.updatedTo, { v: u.version })}${u.note ? `: ${u.note}` : ''}`);
      lines.push(`${w.indicators}:`);
      if (d.alert.indicators.length === 0) lines.push(`  ${w.none}`);
      for (const i of d.alert.indicators.slice(0, MAX_INDICATORS)) lines.push(`  ${i.type.padEnd(7)} ${defang(i)}  [${tlpLabel(i.tlp)}]`);
      if (d.alert.indicators.length > MAX_INDICATORS) lines.push(`  ${fill(w.more, { n: d.alert.indicators.length - MAX_INDICATORS })}`);
      lines.push(d.url, '');
    }
  }
  if (updated.length > 0) {
    heading(w.updated, updated.length);
    for (const d of updated) {
      lines.push(head(d));
      for (const u of d.updates) lines.push(`  ${fill(w.updatedTo, { v: u.version })}${u.note ? `: ${u.note}` : ''}`);
      lines.push(d.url, '');
    }
  }
  if (retracted.length > 0) {
    heading(w.retracted, retracted.length);
    for (const d of retracted) {
      lines.push(head(d));
      if (d.alert.retractReason) lines.push(`  ${w.reason}: ${d.alert.retractReason}`);
      lines.push(d.url, '');
    }
  }
  if (sighted.length > 0) {
    heading(w.sightings, sighted.length);
    for (const d of sighted) {
      lines.push(`[${tlpLabel(d.alert.tlp)}] ${d.alert.title}`, `  ${fill(w.seen, { n: d.sightings, sectors: d.sightingSectors.map((s) => sectorLabel(s, lang)).join(', ') })}`, d.url, '');
    }
  }
  lines.push('-- ', fill(w.footer, { org: input.organisationName, hour: String(input.hour).padStart(2, '0') }), label);
  const subject = `[${label}] ${fill(w.subject, { day: input.day })}: ${fill(w.alerts, { n: input.alerts.length })}`;
  return { subject, text: lines.join('\n') + '\n' };
}
