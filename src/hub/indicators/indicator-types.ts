/** The closed sets of the indicator and analysis modules. */

/** What an indicator is. Hashes are of files; `cidr` is a network of more than one address. */
export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

// TLP labels have one home, the TLP policy; they are re-exported for the modules that store them.
export { TLP_LEVELS, parseTlp, type Tlp } from '../tlp.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What can happen to an indicator; alerts and sightings append theirs with {@link appendIndicatorEvents}. */
export const INDICATOR_EVENT_KINDS = ['created', 'updated', 'analysis', 'alert', 'sighting'] as const;
export type IndicatorEventKind = (typeof INDICATOR_EVENT_KINDS)[number];

export function isIndicatorType(s: string): s is IndicatorType {
  return (INDICATOR_TYPES as readonly string[]).includes(s);
}

