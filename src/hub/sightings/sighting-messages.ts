/**
 * What a re-broadcast sighting looks like outside Baken: the email to the alert contacts of the rest of the
 * alert's audience (English or Dutch) and the JSON body of the `sightings.reported` webhook call. Neither names the
 * reporting organisation unless it chose to share its name; both say in which sector it was seen.
 */
import { SECTORS, isSector } from '../../accounts/sectors.js';
import { tlpLabel, type Tlp } from '../tlp.js';

type Lang = 'en' | 'nl';

export interface SightingNotice {
  sightingId: number;
  alert: { id: number; title: string; tlp: Tlp; url: string };
  indicator: { id: number; type: string; value: string };
  sector: string | null;
  /** Distinct organisations that reported the indicator so far, and reports in all. */
  organisations: number;
  sightings: number;
  count: number;
  firstSeen: string;
  lastSeen: string;
  reportedAt: string;
  /** Null unless the reporter chose to share its name (or the reader is the coordinator). */
  reporter: string | null;
}

const WORDS = {
  en: {
    subject: 'Sighting',
    summarySubject: 'Sightings',
    seen: 'A member organisation in the sector {sector} reports that it observed an indicator of this alert.',
    seenNamed: '{org} (sector {sector}) reports that it observed an indicator of this alert.',
    indicator: 'Indicator',
    times: 'Observed',
    between: 'from {first} to {last}',
    so: 'Organisations that reported this indicator so far: {orgs} ({n} reports).',
    check: 'Check whether your organisation sees it too.',
    summary: '{n} further sightings of indicators of this alert since {since}; {orgs} organisations reported them so far.',
    unknownSector: 'unknown',
    link: 'The alert',
    footer: 'You receive this as an alert contact of {org}; at most one such email per alert every {minutes} minutes, the webhook and the live stream carry every sighting.',
  },
  nl: {
    subject: 'Waarneming',
    summarySubject: 'Waarnemingen',
    seen: 'Een aangesloten organisatie in de sector {sector} meldt dat zij een indicator uit deze melding heeft waargenomen.',
    seenNamed: '{org} (sector {sector}) meldt dat zij een indicator uit deze melding heeft waargenomen.',
    indicator: 'Indicator',
    times: 'Waargenomen',
    between: 'van {first} tot {last}',
    so: 'Organisaties die deze indicator tot nu toe meldden: {orgs} ({n} meldingen).',
    check: 'Ga na of uw organisatie hem ook ziet.',
    summary: '{n} nieuwe waarnemingen van indicatoren uit deze melding sinds {since}; {orgs} organisaties meldden ze tot nu toe.',
    unknownSector: 'onbekend',
    link: 'De melding',
    footer: 'U ontvangt dit als meldingscontact van {org}; hooguit één zulke e-mail per melding per {minutes} minuten, de webhook en de live stream brengen elke waarneming.',
  },
} as const;

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

export function sectorLabel(sector: string | null, lang: Lang): string {
  return sector && isSector(sector) ? SECTORS[sector][lang] : WORDS[lang].unknownSector;
}

/** Values mail software would make clickable are defanged in email. */
function defang(type: string, value: string): string {
  if (type === 'url') return value.replace(/^http/, 'hxxp').replace(/\./g, '[.]');
  if (type === 'domain' || type === 'email') return value.replace(/\./g, '[.]');
  return value;
}

/** The first email about an alert's sightings in an interval: this sighting. */
export function renderSightingEmail(input: { notice: SightingNotice; language: Lang; organisationName: string; intervalMinutes: number }): { subject: string; text: string } {
  const { notice: n, language: lang } = input;
  const w = WORDS[lang];
  const label = tlpLabel(n.alert.tlp);
  const sector = sectorLabel(n.sector, lang);
  const lines = [
    label,
    '',
    n.reporter ? fill(w.seenNamed, { org: n.reporter, sector }) : fill(w.seen, { sector }),
    '',
    `${w.indicator}: ${n.indicator.type} ${defang(n.indicator.type, n.indicator.value)}`,
    `${w.times}: ${n.count}x, ${fill(w.between, { first: n.firstSeen, last: n.lastSeen })}`,
    fill(w.so, { orgs: n.organisations, n: n.sightings }),
    w.check,
    '',
    `${w.link}: ${n.alert.title}`,
    n.alert.url,
    '',
    '-- ',
    fill(w.footer, { org: input.organisationName, minutes: input.intervalMinutes }),
    label,
  ];
  return { subject: `[${label}] ${w.subject}: ${n.alert.title}`, text: lines.join('\n') + '\n' };
}

/** The summary at the end of an interval in which more sightings arrived than were emailed. */
export function renderSightingSummaryEmail(input: { alert: SightingNotice['alert']; language: Lang; organisationName: string; since: string; sightings: number; organisations: number; intervalMinutes: number }): { subject: string; text: string } {
  const w = WORDS[input.language];
  const label = tlpLabel(input.alert.tlp);
  const lines = [
    label,
    '',
    fill(w.summary, { n: input.sightings, since: input.since, orgs: input.organisations }),
    w.check,
    '',
    `${w.link}: ${input.alert.title}`,
    input.alert.url,
    '',
    '-- ',
    fill(w.footer, { org: input.organisationName, minutes: input.intervalMinutes }),
    label,
  ];
  return { subject: `[${label}] ${w.summarySubject}: ${input.alert.title} (${input.sightings})`, text: lines.join('\n') + '\n' };
}

/** One sighting in a `sightings.reported` webhook call, as the rest of the audience sees it (docs/hub-sightings.md). */
export function sightingWebhookItem(n: SightingNotice): Record<string, unknown> {
  return {
    id: n.sightingId,
    indicator: n.indicator,
    sector: n.sector,
    count: n.count,
    first_seen: n.firstSeen,
    last_seen: n.lastSeen,
    reported_at: n.reportedAt,
    reporter: n.reporter,
    alert: { id: n.alert.id, title: n.alert.title, tlp: n.alert.tlp, url: n.alert.url },
    totals: { organisations: n.organisations, sightings: n.sightings },
  };
}

/**
 * The JSON body of a `sightings.reported` webhook call: the sightings of about a second, oldest first. The items
 * come as the JSON {@link sightingWebhookItem} made when each was reported, so they are joined, not parsed again.
 */
export function sightingsWebhookBodyJson(itemsJson: readonly string[], organisationId: number): string {
  return `{"event":"sightings.reported","sightings":[${itemsJson.join(',')}],"recipient":${JSON.stringify({ organisation_id: organisationId })}}`;
}
