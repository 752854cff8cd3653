/**
 * The hub's timed work, run wherever the delivery worker runs (`baken serve` with BAKEN_WORKER on, `baken worker`):
 * tell the audiences of alerts of their sightings every BAKEN_SIGHTING_REBROADCAST_INTERVAL_MS (per member and alert
 * one webhook call carrying every sighting of the interval, and the interval's first email), and once a minute the
 * sighting summary emails and the daily digests. Every job is safe to run on several nodes at once; each claims its
 * work in the database.
 */
import type { Context } from '../platform/context.js';
import { runDigests } from './digest/daily-digest.js';
import { flushSightingRebroadcasts } from './sightings/sighting-rebroadcasts.js';
import { flushSightingEmails } from './sightings/sightings.js';

export interface HubSchedule {
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Sends what is due once, then returns: `baken worker --once`, and tests. */
export async function runHubScheduleOnce(ctx: Context): Promise<void> {
  while ((await flushSightingRebroadcasts(ctx)).more);
  await flushSightingEmails(ctx);
  await runDigests(ctx);
}

/** Starts the hub's timers in this process. */
export function startHubSchedule(ctx: Context): HubSchedule {
  let stopped = false;
  let rebroadcastTimer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  // A flush that took a whole batch (more than one batch arrived in the interval) goes on at once; else it waits for
  // the interval, which is what makes a burst one call per member and alert a second.
  const flushRebroadcasts = async () => {
    let again = false;
    try {
      again = (await flushSightingRebroadcasts(ctx)).more && !stopped;
    } catch (err) {
      ctx.log.warn({ err }, 'sighting re-broadcast failed');
    }
    if (!stopped) rebroadcastTimer = setTimeout(() => (inFlight = flushRebroadcasts()), again ? 0 : ctx.config.sightingRebroadcastIntervalMs);
  };
  rebroadcastTimer = setTimeout(() => (inFlight = flushRebroadcasts()), ctx.config.sightingRebroadcastIntervalMs);

  const minutely = setInterval(() => {
    // Re-broadcast emails held back by BAKEN_SIGHTING_EMAIL_INTERVAL_MINUTES go out as summaries when due.
    flushSightingEmails(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'sighting summaries failed'));
    // The daily digest goes from BAKEN_DIGEST_HOUR (UTC), once per member per day across all nodes.
    runDigests(ctx)
      .then((run) => run.digests.length > 0 && ctx.log.info({ day: run.day, digests: run.digests.length }, 'daily digests queued'))
      .catch((err: unknown) => ctx.log.warn({ err }, 'daily digest failed'));
  }, 60_000);
  minutely.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(minutely);
      if (rebroadcastTimer) clearTimeout(rebroadcastTimer);
      await inFlight;
    },
  };
}
