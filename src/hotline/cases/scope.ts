/**
 * Which hosts a case notifies. A host is in scope when its operator is in the
 * operator directory (by prefix or ASN, wherever the address is), or when the
 * bundled network data places it in one of BAKEN_SCOPE_COUNTRIES (`*`: any).
 * Everything else is counted and listed with its reason, never notified: the
 * hotline serves its own constituency and approaches nobody else.
 */
import type { Resolution } from '../../registry/resolver.js';

export interface Scope {
  /** ISO codes, upper case; `*` means every country. */
  countries: readonly string[];
}

/** Null when the host is in scope; else a short reason, e.g. `country DE` or `country unknown`. */
export function outOfScopeReason(r: Pick<Resolution, 'country' | 'operator'>, scope: Scope): string | null {
  if (r.operator !== null) return null;
  if (scope.countries.includes('*')) return null;
  if (r.country === null) return 'country unknown';
  return scope.countries.includes(r.country) ? null : `country ${r.country}`;
}
