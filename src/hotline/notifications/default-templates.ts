/**
 * The notification a network operator receives, in Dutch and English. A
 * handler can replace these per case; the placeholders are listed in
 * {@link TEMPLATE_PLACEHOLDERS}. The wording follows the hotline's stance: we
 * pass a notice on, ask the operator to inform the owners, and keep no score.
 */
import type { Classification } from '../taxonomy.js';

export interface NotificationTemplate {
  subject: string;
  body: string;
}

export const TEMPLATE_PLACEHOLDERS = [
  'case_id',
  'title',
  'description',
  'classification',
  'why',
  'cves',
  'product',
  'versions',
  'operator',
  'host_count',
  'followup',
  'portal_url',
  'portal_expires',
  'case_url',
  'tlp',
  'tlp_meaning',
  'coordinator',
] as const;

export const DEFAULT_TEMPLATES: Record<'en' | 'nl', NotificationTemplate> = {
  en: {
    subject: '[TLP:{{tlp}}] {{case_id}}{{#followup}} (follow-up){{/followup}}: {{title}} ({{host_count}} {{#followup}}still affected {{/followup}}hosts in your network)',
    body: `Dear abuse desk{{#operator}} of {{operator}}{{/operator}},

{{#followup}}This is a follow-up to our earlier notification about case {{case_id}}. A new scan shows that the hosts in the attachment are still affected.

{{/followup}}{{coordinator}} has learned that {{host_count}} systems in your network are affected by the following issue. We ask you to pass this on to the people responsible for these systems.

{{title}}
{{#cves}}CVE: {{cves}}
{{/cves}}{{#product}}Product: {{product}}{{#versions}} ({{versions}}){{/versions}}
{{/product}}
WHAT IS WRONG
{{description}}

WHY IT MATTERS
{{why}}

WHAT TO DO
- Check the systems listed in the attached file hosts.csv (only the addresses in your network).
- Inform their owners and ask them to fix the issue, for example by updating or taking the service off the internet.
- Tell us what you found, so we do not bother you again with the same hosts:
  {{portal_url}}
  There you can see and download the hosts (CSV, JSON) and answer "fixed", "not ours" or "false positive".
  The link is for you only and works until {{portal_expires}}.
{{#case_url}}
More about this case: {{case_url}}
{{/case_url}}
We pass this notice on as a service. We are not the police, we do not test your systems ourselves, and we keep no statistics on who acted on it.

TLP:{{tlp}}: {{tlp_meaning}}

Kind regards,
{{coordinator}}
`,
  },
  nl: {
    subject: '[TLP:{{tlp}}] {{case_id}}{{#followup}} (vervolg){{/followup}}: {{title}} ({{host_count}} {{#followup}}nog steeds kwetsbare {{/followup}}systemen in uw netwerk)',
    body: `Beste abuse-afdeling{{#operator}} van {{operator}}{{/operator}},

{{#followup}}Dit is een vervolg op onze eerdere melding over zaak {{case_id}}. Een nieuwe scan laat zien dat de systemen in de bijlage nog steeds getroffen zijn.

{{/followup}}{{coordinator}} heeft vernomen dat {{host_count}} systemen in uw netwerk getroffen zijn door het volgende probleem. Wij vragen u dit door te geven aan de beheerders van deze systemen.

{{title}}
{{#cves}}CVE: {{cves}}
{{/cves}}{{#product}}Product: {{product}}{{#versions}} ({{versions}}){{/versions}}
{{/product}}
WAT IS ER AAN DE HAND
{{description}}

WAAROM HET ERTOE DOET
{{why}}

WAT U KUNT DOEN
- Controleer de systemen in het bijgevoegde bestand hosts.csv (alleen de adressen in uw netwerk).
- Informeer de eigenaren en vraag hen het probleem op te lossen, bijvoorbeeld door bij te werken of de dienst van internet te halen.
- Laat ons weten wat u aantrof, zodat wij u niet opnieuw over dezelfde systemen benaderen:
  {{portal_url}}
  Daar ziet en downloadt u de systemen (CSV, JSON) en antwoordt u "opgelost", "niet van ons" of "vals positief".
  De link is alleen voor u en werkt tot {{portal_expires}}.
{{#case_url}}
Meer over deze zaak: {{case_url}}
{{/case_url}}
Wij geven deze melding door als dienst. Wij zijn niet de politie, testen uw systemen niet zelf en houden niet bij wie er iets mee deed.

TLP:{{tlp}}: {{tlp_meaning}}

Met vriendelijke groet,
{{coordinator}}
`,
  },
};

export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT';

export const TLP_MEANING: Record<Tlp, Record<'en' | 'nl', string>> = {
  CLEAR: { en: 'this information may be shared without restriction.', nl: 'deze informatie mag zonder beperking gedeeld worden.' },
  GREEN: { en: 'share within your community, not publicly.', nl: 'deel binnen uw gemeenschap, niet openbaar.' },
  AMBER: {
    en: 'share only within your organisation and with your customers who need to act on it.',
    nl: 'deel alleen binnen uw organisatie en met klanten die er iets mee moeten doen.',
  },
  'AMBER+STRICT': { en: 'share only within your organisation.', nl: 'deel alleen binnen uw organisatie.' },
};

/** Why it matters, by the class of the report. */
export function whyItMatters(classification: Classification, lang: 'en' | 'nl'): string {
  const cls = classification.split('/')[0];
  const texts: Record<string, Record<'en' | 'nl', string>> = {
    vulnerable: {
      en: 'Attackers scan the internet for systems like these and can take them over, steal data from them or use them to attack others. Once a weakness is public, this often happens within days.',
      nl: 'Aanvallers scannen het internet op zulke systemen en kunnen ze overnemen, er gegevens van stelen of ze gebruiken om anderen aan te vallen. Zodra een zwakheid bekend is, gebeurt dat vaak binnen enkele dagen.',
    },
    'malicious-code': {
      en: 'These systems appear to be infected: someone else controls them, can read what passes through them, and can use them against others.',
      nl: 'Deze systemen lijken besmet: iemand anders heeft er controle over, kan meelezen en kan ze tegen anderen inzetten.',
    },
    intrusions: {
      en: 'These systems show signs of a compromise. An attacker may still have access; patching alone does not remove it.',
      nl: 'Deze systemen vertonen sporen van een inbraak. Een aanvaller kan nog toegang hebben; alleen bijwerken verhelpt dat niet.',
    },
  };
  return (
    texts[cls ?? '']?.[lang] ??
    (lang === 'nl'
      ? 'Dit kan de beveiliging van deze systemen en van hun gebruikers in gevaar brengen.'
      : 'This can put the security of these systems and of their users at risk.')
  );
}
