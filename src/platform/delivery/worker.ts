/**
 * Delivers the outbox. A worker leases due rows (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so several workers share the queue), sends them,
 * and records the result. Failures retry with exponential backoff up to the
 * message's limit, then show as failed; permanent refusals fail at once.
 *
 * Two channels, each with its own loop: email goes out one message at a time
 * at the SMTP rate; webhook calls go out concurrently (a bounded pool), one at
 * a time per destination URL and at most BAKEN_WEBHOOK_RATE_PER_MINUTE a
 * minute to each, so one slow or failing receiver holds up only itself.
 *
 * Never twice: right after the mail server accepts a message, its id is
 * appended (and synced) to a journal in the data directory, before the
 * database is told. A worker that died between the two finds the id in the
 * journal when it starts and records the message as sent instead of sending
 * it again. Never lost: a message leased by a worker that died is leased again
 * when the lease runs out.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { sql, type Selectable } from 'kysely';
import type { Context } from '../context.js';
import type { OutboxTable } from '../db/schema.js';
import { PermanentDeliveryError, type Mailer } from './mailer.js';
import { outboxSignal, type EmailMessage } from './outbox.js';
import { createHttpWebhookSender, signedWebhookHeaders, type WebhookPayload, type WebhookSender } from './webhooks.js';

type OutboxRow = Selectable<OutboxTable>;

export interface WorkerOptions {
  mailer: Mailer | null;
  /** Who holds leases; default host and process id. */
  owner?: string;
  batchSize?: number;
  /** How long a lease lasts before another worker may take the message over. */
  leaseMs?: number;
  /** How often an idle worker looks for due messages (it is also woken when this process queues one). */
  pollMs?: number;
  /** Emails a minute; default BAKEN_MAIL_RATE_PER_MINUTE. */
  ratePerMinute?: number;
  journalPath?: string;
  /** Sends webhook calls; default the HTTP sender of the configuration; null leaves webhook calls queued. */
  webhooks?: WebhookSender | null;
  /** Webhook calls in flight at once; default BAKEN_WEBHOOK_CONCURRENCY. */
  webhookConcurrency?: number;
  /** Calls a minute to one destination URL; default BAKEN_WEBHOOK_RATE_PER_MINUTE. */
  webhookRatePerMinute?: number;
}

export interface WorkerRun {
  sent: number;
  failed: number;
  retried: number;
  recovered: number;
}

/** Backoff before attempt n+1: 30 s doubling, at most 6 h, with ±20 % jitter so retries do not march in step. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class DeliveryWorker {
  private readonly owner: string;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly intervalMs: number;
  private readonly journalPath: string;
  private journalFd: number | null = null;
  private journalPending: Array<{ id: number; done: () => void; fail: (err: unknown) => void }> = [];
  private nextSendAt = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  private readonly webhooks: WebhookSender | null;
  private readonly webhookConcurrency: number;
  private readonly webhookIntervalMs: number;
  /** When the next call to each destination may start. */
  private readonly destinationNextAt = new Map<string, number>();
  /** When each channel is next searched for expired leases, and (webhooks) its whole backlog (see lease()). */
  private readonly expiredCheckAt = new Map<string, number>();
  private readonly backlogSearchAt = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly options: WorkerOptions,
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? ctx.config.deliveryLeaseSeconds * 1000;
    this.pollMs = options.pollMs ?? 1000;
    this.intervalMs = 60_000 / (options.ratePerMinute ?? ctx.config.mailRatePerMinute);
    this.journalPath = options.journalPath ?? join(ctx.config.dataDir, 'outbox-journal.log');
    this.webhooks =
      options.webhooks !== undefined ? options.webhooks : createHttpWebhookSender({ timeoutMs: ctx.config.webhookTimeoutMs, allowPrivate: ctx.config.webhookAllowPrivate });
    this.webhookConcurrency = options.webhookConcurrency ?? ctx.config.webhookConcurrency;
    this.webhookIntervalMs = 60_000 / (options.webhookRatePerMinute ?? ctx.config.webhookRatePerMinute);
  }

  /** Records as sent what the journal says was sent before a crash, then empties the journal. */
  async recover(): Promise<number> {
    if (!existsSync(this.journalPath)) return 0;
    const ids = readFileSync(this.journalPath, 'utf8')
      .split('\n')
      .map((l) => Number(l.split(' ')[0]))
      .filter((n) => Number.isInteger(n) && n > 0);
    let recovered = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const r = await this.ctx.db.kysely
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: this.ctx.clock.now().toISOString(), lease_owner: null, leased_until: null })
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirst();
      recovered += Number(r.numUpdatedRows);
    }
    writeFileSync(this.journalPath, '');
    if (recovered > 0) this.ctx.log.warn({ recovered }, 'outbox: messages sent before a crash recorded as sent, not sent again');
    return recovered;
  }

  /** Delivers until nothing is due, then returns (`baken worker --once`, tests). */
  async runOnce(): Promise<WorkerRun> {
    const run: WorkerRun = { sent: 0, failed: 0, retried: 0, recovered: await this.recover() };
    try {
      await Promise.all([this.emailLoop(run, true), this.webhookLoop(run, true)]);
      return run;
    } finally {
      this.closeJournal();
    }
  }

  /** Runs in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    const listener = () => {
      for (const w of this.wakers) w();
    };
    outboxSignal.listeners.add(listener);
    this.running = (async () => {
      const run: WorkerRun = { sent: 0, failed: 0, retried: 0, recovered: await this.recover() };
      await Promise.all([this.emailLoop(run, false), this.webhookLoop(run, false)]);
      outboxSignal.listeners.delete(listener);
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.wakers) w();
    await this.running;
    this.running = null;
    this.closeJournal();
  }

  /** Waits for the poll interval, a wake-up (a message queued in this process, stop()) or one of `also`. */
  private idle(also: Array<Promise<unknown>> = []): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(t);
        this.wakers.delete(finish);
        resolve();
      };
      const t = setTimeout(finish, this.pollMs);
      this.wakers.add(finish);
      for (const p of also) p.then(finish, finish);
    });
  }

  private async emailLoop(run: WorkerRun, once: boolean): Promise<void> {
    if (!this.options.mailer) return;
    while (!this.stopping) {
      try {
        const rows = await this.lease('email', this.batchSize);
        for (const row of rows) {
          if (this.stopping) break;
          await this.deliver(row, run);
        }
        if (rows.length > 0) continue;
        if (once) return;
      } catch (err) {
        if (once) throw err;
        this.ctx.log.error({ err }, 'outbox: worker loop failed; retrying');
      }
      await this.idle();
    }
  }

  /**
   * Leases webhook calls and sends them through a bounded pool. Calls to one destination go one after the
   * other, paced; calls to different destinations go side by side. A destination with calls waiting
   * already is left out of the next lease, so a slow receiver cannot fill the pool with its own calls.
   */
  private async webhookLoop(run: WorkerRun, once: boolean): Promise<void> {
    if (!this.webhooks) return;
    const queues = new Map<string, OutboxRow[]>();
    const active = new Map<string, Promise<void>>();
    const maxHeld = this.webhookConcurrency * 4;
    const perDestination = 4;
    let held = 0;
    const startRunners = () => {
      for (const [destination, queue] of queues) {
        if (active.size >= this.webhookConcurrency) return;
        if (active.has(destination) || queue.length === 0) continue;
        const runner = (async () => {
          while (queue.length > 0) {
            const row = queue.shift()!;
            try {
              if (this.stopping) {
                await this.release(row);
              } else {
                await this.paceDestination(destination);
                await this.deliverWebhook(row, run);
              }
            } catch (err) {
              this.ctx.log.error({ err, outboxId: row.id }, 'outbox: recording a webhook call failed; its lease will run out and it is retried');
            } finally {
              held--;
            }
          }
          queues.delete(destination);
          active.delete(destination);
          startRunners();
        })();
        active.set(destination, runner);
      }
    };
    // After a lease that found less than it asked for, while calls are in flight, the next one waits a little:
    // wake-ups come with every call queued (a hundred a second under a burst of sightings), and a lease each time
    // would mostly find the same busy receivers.
    let starvedUntil = 0;
    for (;;) {
      if (this.stopping) break;
      let leased = 0;
      const throttled = held > 0 && Date.now() < starvedUntil;
      try {
        if (held < maxHeld && !throttled) {
          const busy = [...queues].filter(([, q]) => q.length >= perDestination).map(([d]) => d);
          const asked = maxHeld - held;
          const rows = await this.lease('webhook', asked, busy);
          if (rows.length < asked) starvedUntil = Date.now() + 50;
          for (const row of rows) {
            const q = queues.get(row.destination) ?? [];
            q.push(row);
            queues.set(row.destination, q);
            held++;
          }
          leased = rows.length;
        }
      } catch (err) {
        if (once) throw err;
        this.ctx.log.error({ err }, 'outbox: leasing webhook calls failed; retrying');
      }
      startRunners();
      if (leased > 0 && held < maxHeld) continue;
      if (leased === 0 && held === 0 && once) break;
      const also: Array<Promise<unknown>> = held > 0 ? [...active.values()] : [];
      if (throttled) also.push(new Promise((r) => setTimeout(r, Math.max(0, starvedUntil - Date.now()))));
      await this.idle(also);
    }
    await Promise.all([...active.values()]);
  }

  /** Hands a leased call back untouched (a worker that stops), so another worker need not wait for the lease. */
  private async release(row: OutboxRow): Promise<void> {
    await this.ctx.db.kysely
      .updateTable('outbox')
      .set({ status: 'pending', lease_owner: null, leased_until: null, attempts: Math.max(0, row.attempts - 1) })
      .where('id', '=', row.id)
      .where('lease_owner', '=', this.owner)
      .execute();
  }

  private closeJournal(): void {
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
  }

  /**
   * Takes due messages: ones whose lease ran out, and pending ones whose time has come, oldest first.
   *
   * Two statements, each an index range (outbox_due_idx on status and next_attempt_at) rather than one scan of the
   * whole table with an OR: a scan reads every queued row, large emails included, on every lease. Expired leases are
   * looked for at most once a second (leases last a minute or more). With destinations to skip (webhook receivers
   * that have calls waiting in this worker already), the oldest few thousand due calls are looked at, not the whole
   * backlog: a backlog of a hundred thousand calls to busy receivers would otherwise be read again at every lease.
   * Every few seconds the whole backlog is searched once, so a new receiver behind that window still gets its turn.
   */
  private async lease(channel: 'email' | 'webhook', limit: number, skipDestinations: readonly string[] = []): Promise<OutboxRow[]> {
    const now = this.ctx.clock.now();
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + this.leaseMs).toISOString();
    const lock = this.ctx.db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const take = async (ids: ReturnType<typeof sql>) => {
      const set = sql`status = 'sending', lease_owner = ${this.owner}, leased_until = ${until}, attempts = attempts + 1`;
      if (this.ctx.db.dialect === 'postgres') return sql<OutboxRow>`update outbox set ${set} where id in (${ids}) returning *`.execute(this.ctx.db.kysely);
      // SQLite: find the rows with a read, which does not hold the one write lock (a server in another process may
      // be waiting for it), then take them in a short write that checks they are still due.
      const found = await sql<{ id: number }>`${ids}`.execute(this.ctx.db.kysely);
      if (found.rows.length === 0) return { rows: [] as OutboxRow[] };
      return sql<OutboxRow>`update outbox set ${set} where id in (${sql.join(found.rows.map((r) => r.id))}) and status in ('pending', 'sending') and (status = 'pending' or leased_until < ${nowIso}) returning *`.execute(this.ctx.db.kysely);
    };
    const rows: OutboxRow[] = [];
    const clockNow = Date.now();
    if (clockNow >= (this.expiredCheckAt.get(channel) ?? 0)) {
      this.expiredCheckAt.set(channel, clockNow + 1000);
      const expired = await take(sql`select id from outbox where status = 'sending' and leased_until < ${nowIso} and channel = ${channel} order by id limit ${limit} ${lock}`);
      rows.push(...expired.rows);
    }
    const room = limit - rows.length;
    if (room > 0) {
      const due = sql`status = 'pending' and next_attempt_at <= ${nowIso} and channel = ${channel}`;
      let pending;
      if (skipDestinations.length === 0) {
        pending = await take(sql`select id from outbox where ${due} order by next_attempt_at, id limit ${room} ${lock}`);
      } else {
        const skip = sql`destination not in (${sql.join([...skipDestinations])})`;
        const whole = clockNow >= (this.backlogSearchAt.get(channel) ?? 0);
        if (whole) this.backlogSearchAt.set(channel, clockNow + 3000);
        pending = whole
          ? await take(sql`select id from outbox where ${due} and ${skip} order by next_attempt_at, id limit ${room} ${lock}`)
          : await take(sql`select id from (select id, destination from outbox where ${due} order by next_attempt_at, id limit ${Math.max(2000, room * 8)} ${lock}) w where ${skip} limit ${room}`);
      }
      rows.push(...pending.rows);
    }
    return rows.sort((a, b) => a.id - b.id);
  }

  private async deliver(row: OutboxRow, run: WorkerRun): Promise<void> {
    const mailer = this.options.mailer!;
    const message = JSON.parse(row.payload) as EmailMessage;
    await this.pace();
    try {
      await mailer.send({ ...message, from: this.ctx.config.mailFrom, messageId: row.message_id });
    } catch (err) {
      await this.recordFailure(row, err, run);
      return;
    }
    await this.recordSent(row, run);
  }

  /** One attempt of one webhook call, signed now: a retry carries a fresh timestamp. */
  private async deliverWebhook(row: OutboxRow, run: WorkerRun): Promise<void> {
    const p = JSON.parse(row.payload) as WebhookPayload;
    try {
      await this.webhooks!.send({ url: p.url, body: p.body, headers: signedWebhookHeaders(p.secret, row.message_id, p.event, p.body, this.ctx.clock.now()) });
    } catch (err) {
      await this.recordFailure(row, err, run);
      return;
    }
    await this.recordSent(row, run);
  }

  private async recordFailure(row: OutboxRow, err: unknown, run: WorkerRun): Promise<void> {
    const permanent = err instanceof PermanentDeliveryError || row.attempts >= row.max_attempts;
    const error = String((err as Error).message ?? err).slice(0, 1000);
    await this.ctx.db.kysely
      .updateTable('outbox')
      .set({
        status: permanent ? 'failed' : 'pending',
        last_error: error,
        lease_owner: null,
        leased_until: null,
        next_attempt_at: new Date(this.ctx.clock.now().getTime() + backoffMs(row.attempts)).toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    if (permanent) run.failed++;
    else run.retried++;
    this.ctx.log.warn({ outboxId: row.id, channel: row.channel, attempts: row.attempts, permanent, err: error }, 'outbox: delivery failed');
  }

  private async recordSent(row: OutboxRow, run: WorkerRun): Promise<void> {
    await this.journal(row.id);
    run.sent++;
  }

  /** Keeps to the per-destination rate of webhook calls. */
  private async paceDestination(destination: string): Promise<void> {
    const now = Date.now();
    const at = this.destinationNextAt.get(destination) ?? 0;
    this.destinationNextAt.set(destination, Math.max(now, at) + this.webhookIntervalMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
    if (this.destinationNextAt.size > 10_000) this.destinationNextAt.clear();
  }

  /** Keeps to the per-minute rate: one message every interval, no bursts. */
  private async pace(): Promise<void> {
    const now = Date.now();
    const wait = this.nextSendAt - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.nextSendAt = Math.max(now, this.nextSendAt) + this.intervalMs;
  }

  /**
   * Appends a sent message's id to the journal and syncs it, then records it as sent in the database. Calls that
   * finish together (concurrent webhook calls) share one write, one sync and one UPDATE: a thousand receivers
   * answering at once are a handful of statements, not a thousand.
   */
  private journal(id: number): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.journalPending.push({ id, done, fail });
      if (this.journalPending.length === 1) setImmediate(() => this.flushJournal());
    });
  }

  private flushJournal(): void {
    const batch = this.journalPending;
    this.journalPending = [];
    try {
      if (this.journalFd === null) {
        mkdirSync(dirname(this.journalPath), { recursive: true });
        this.journalFd = openSync(this.journalPath, 'a');
      }
      writeSync(this.journalFd, batch.map((b) => `${b.id}\n`).join(''));
      fdatasyncSync(this.journalFd);
    } catch (err) {
      for (const b of batch) b.fail(err);
      return;
    }
    void this.markSent(batch);
  }

  /** The database half of recording: after the journal, so a crash in between is recovered, not sent twice. */
  private async markSent(batch: Array<{ id: number; done: () => void; fail: (err: unknown) => void }>): Promise<void> {
    const sentAt = this.ctx.clock.now().toISOString();
    for (let i = 0; i < batch.length; i += 500) {
      const part = batch.slice(i, i + 500);
      try {
        await this.ctx.db.kysely
          .updateTable('outbox')
          .set({ status: 'sent', sent_at: sentAt, last_error: null, lease_owner: null, leased_until: null })
          .where('id', 'in', part.map((b) => b.id))
          .execute();
      } catch (err) {
        for (const b of part) b.fail(err);
        continue;
      }
      for (const b of part) b.done();
    }
  }
}
