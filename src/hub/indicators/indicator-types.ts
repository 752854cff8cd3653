/** The closed sets of the indicator and analysis modules. */

/** What an indicator is. Hashes are of files; `cidr` is a network of more than one address. */
export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/**
 * Traffic Light Protocol 2.0 labels, from the widest audience to the narrowest. Who may read what is the TLP
 * policy's business (src/hub/tlp.ts); this module only stores and validates the label.
 */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What can happen to an indicator; alerts and sightings append theirs with {@link appendIndicatorEvents}. */
export const INDICATOR_EVENT_KINDS = ['created', 'updated', 'analysis', 'alert', 'sighting'] as const;
export type IndicatorEventKind = (typeof INDICATOR_EVENT_KINDS)[number];

export function isIndicatorType(s: string): s is IndicatorType {
  return (INDICATOR_TYPES as readonly string[]).includes(s);
}

/** Accepts `amber+strict`, `TLP:AMBER`, `tlp:clear`, and the TLP 1.0 `WHITE` (now CLEAR). Null when not a label. */
export function parseTlp(s: string): Tlp | null {
  let u = s.trim().toUpperCase();
  if (u.startsWith('TLP:')) u = u.slice(4);
  if (u === 'WHITE') u = 'CLEAR';
  return (TLP_LEVELS as readonly string[]).includes(u) ? (u as Tlp) : null;
}
