import { BakenError } from '../../platform/errors.js';

/** The registry answered 429: slow down, for `retryAfterMs` when it said how long (Retry-After), else unknown. */
export class RdapRateLimitedError extends BakenError {
  constructor(readonly retryAfterMs: number | null, detail: string) {
    super('RDAP_RATE_LIMITED', { detail });
    this.name = 'RdapRateLimitedError';
  }
}

/**
 * Reads a Retry-After header (RFC 9110 section 10.2.3): seconds, or an HTTP date. Null when absent or unreadable.
 *
 * @example
 * parseRetryAfter('120', new Date()) // 120000
 */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
