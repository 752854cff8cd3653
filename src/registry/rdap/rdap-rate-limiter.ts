/**
 * A token bucket for requests to one RDAP registry: `perMinute` tokens a minute, at most `burst` saved up. A caller
 * that finds the bucket empty reserves the next token and waits for it, when that is within its bound; otherwise it
 * is told when to come back. When the registry itself says "slow down" (429), {@link pauseUntil} stops everyone.
 */
import type { Clock } from '../../platform/clock.js';

export interface RdapRateLimiterOptions {
  perMinute: number;
  /** Tokens saved up for a burst; default the lesser of `perMinute` and 10. */
  burst?: number;
  clock: Clock;
  /** How to wait; tests pass one that moves a manual clock. */
  sleep?: (ms: number) => Promise<void>;
}

export type RateLimitDecision = { kind: 'go' } | { kind: 'deferred'; retryAt: Date; reason: 'rate_limit' | 'registry_backoff' };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const limiter = new RdapRateLimiter({ perMinute: 60, clock: systemClock });
 * const d = await limiter.acquire(5_000);
 * if (d.kind === 'go') await client.lookupIp(ip);
 */
export class RdapRateLimiter {
  readonly perMinute: number;
  readonly burst: number;
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RdapRateLimiterOptions) {
    if (!(options.perMinute > 0)) throw new Error('perMinute must be positive');
    this.perMinute = options.perMinute;
    this.burst = Math.max(1, options.burst ?? Math.min(options.perMinute, 10));
    this.tokens = this.burst;
    this.clock = options.clock;
    this.updatedAt = this.clock.now().getTime();
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Takes a token, waiting up to `maxWaitMs` for it. Waiting callers hold reservations (the bucket goes below zero),
   * so they are served in order and no two wake for one token.
   */
  async acquire(maxWaitMs: number): Promise<RateLimitDecision> {
    const now = this.refill();
    if (this.pausedUntil > now) return { kind: 'deferred', retryAt: new Date(this.pausedUntil), reason: 'registry_backoff' };
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
    if (waitMs > maxWaitMs) return { kind: 'deferred', retryAt: new Date(now + waitMs), reason: 'rate_limit' };
    this.tokens -= 1;
    if (waitMs > 0) await this.sleep(waitMs);
    // The registry may have asked for a pause while we waited.
    const after = this.clock.now().getTime();
    if (this.pausedUntil > after) return { kind: 'deferred', retryAt: new Date(this.pausedUntil), reason: 'registry_backoff' };
    return { kind: 'go' };
  }

  /** The registry asked us to stop (429 with Retry-After): nobody goes before `until`, and the bucket starts empty. */
  pauseUntil(until: Date): void {
    this.refill();
    this.pausedUntil = Math.max(this.pausedUntil, until.getTime());
    this.tokens = Math.min(this.tokens, 0);
  }

  /** When requests may go again after a registry's 429, or null when not paused. */
  pausedUntilTime(): Date | null {
    return this.pausedUntil > this.clock.now().getTime() ? new Date(this.pausedUntil) : null;
  }

  private refill(): number {
    const now = this.clock.now().getTime();
    // No tokens accrue during a pause the registry asked for, nor if the clock runs backwards.
    const from = Math.min(now, Math.max(this.updatedAt, this.pausedUntil));
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - from) * this.perMinute) / 60_000);
    this.updatedAt = Math.max(this.updatedAt, now);
    return now;
  }
}
