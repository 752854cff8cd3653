/**
 * Classifications of hotline reports: the ENISA/RSIT reference incident
 * classification taxonomy (`class/type`), the subset a hotline receives.
 */

export const CLASSIFICATIONS = [
  'vulnerable/vulnerable-system',
  'vulnerable/weak-crypto',
  'vulnerable/ddos-amplifier',
  'vulnerable/potentially-unwanted-accessible',
  'vulnerable/information-disclosure',
  'malicious-code/infected-system',
  'malicious-code/c2-server',
  'malicious-code/malware-distribution',
  'intrusions/system-compromise',
  'intrusions/application-compromise',
  'intrusions/burglary',
  'information-content-security/unauthorised-information-access',
  'information-content-security/data-leak',
  'abusive-content/spam',
  'fraud/phishing',
  'other/other',
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

/** CVE ids, upper case: `CVE-2024-3400`. */
export const CVE_PATTERN = /^CVE-\d{4}-\d{4,7}$/;
