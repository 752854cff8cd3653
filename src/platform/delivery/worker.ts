/**
 * Delivers the outbox. A worker leases due rows (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so several workers share the queue), sends them,
 * and records the result. Failures retry with exponential backoff up to the
 * message's limit, then show as failed; permanent refusals fail at once.
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
  private nextSendAt = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

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
      for (;;) {
        const rows = await this.lease();
        if (rows.length === 0) return run;
        for (const row of rows) await this.deliver(row, run);
      }
    } finally {
      this.closeJournal();
    }
  }

  /** Runs in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    const listener = () => this.wake?.();
    outboxSignal.listeners.add(listener);
    this.running = (async () => {
      const run: WorkerRun = { sent: 0, failed: 0, retried: 0, recovered: await this.recover() };
      while (!this.stopping) {
        try {
          const rows = await this.lease();
          for (const row of rows) {
            if (this.stopping) break;
            await this.deliver(row, run);
          }
          if (rows.length > 0) continue;
        } catch (err) {
          this.ctx.log.error({ err }, 'outbox: worker loop failed; retrying');
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
      outboxSignal.listeners.delete(listener);
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = null;
    this.closeJournal();
  }

  private closeJournal(): void {
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
  }

  /** Takes due messages: pending ones whose time has come, and ones whose lease ran out. */
  private async lease(): Promise<OutboxRow[]> {
    const channels = this.options.mailer ? ['email'] : [];
    if (channels.length === 0) return [];
    const now = this.ctx.clock.now();
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + this.leaseMs).toISOString();
    const lock = this.ctx.db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<OutboxRow>`
      update outbox set status = 'sending', lease_owner = ${this.owner}, leased_until = ${until}, attempts = attempts + 1
      where id in (
        select id from outbox
        where channel in (${sql.join(channels)})
          and ((status = 'pending' and next_attempt_at <= ${nowIso}) or (status = 'sending' and leased_until < ${nowIso}))
        order by next_attempt_at, id
        limit ${this.batchSize}
        ${lock}
      )
      returning *`.execute(this.ctx.db.kysely);
    return result.rows.sort((a, b) => a.id - b.id);
  }

  private async deliver(row: OutboxRow, run: WorkerRun): Promise<void> {
    const mailer = this.options.mailer!;
    const message = JSON.parse(row.payload) as EmailMessage;
    await this.pace();
    try {
      await mailer.send({ ...message, from: this.ctx.config.mailFrom, messageId: row.message_id });
    } catch (err) {
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
      this.ctx.log.warn({ outboxId: row.id, attempts: row.attempts, permanent, err: error }, 'outbox: delivery failed');
      return;
    }
    this.journal(row.id);
    await this.ctx.db.kysely
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: this.ctx.clock.now().toISOString(), last_error: null, lease_owner: null, leased_until: null })
      .where('id', '=', row.id)
      .execute();
    run.sent++;
  }

  /** Keeps to the per-minute rate: one message every interval, no bursts. */
  private async pace(): Promise<void> {
    const now = Date.now();
    const wait = this.nextSendAt - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.nextSendAt = Math.max(now, this.nextSendAt) + this.intervalMs;
  }

  private journal(id: number): void {
    if (this.journalFd === null) {
      mkdirSync(dirname(this.journalPath), { recursive: true });
      this.journalFd = openSync(this.journalPath, 'a');
    }
    writeSync(this.journalFd, `${id}\n`);
    fdatasyncSync(this.journalFd);
  }
}
