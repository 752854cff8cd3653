/**
 * Queueing outgoing messages. A message is rendered completely when it is
 * queued (subject, body, attachments, Message-ID), in the same transaction as
 * the change that caused it: what is committed will be sent, what is rolled
 * back never exists. The idempotency key makes queueing the same message twice
 * a no-op, so a resumed round cannot double it.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { randomToken } from '../tokens.js';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  /** Text content (CSV, JSON); stored as is. */
  content: string;
}

export interface EmailMessage {
  to: string[];
  cc?: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
  /** Extra headers, e.g. `X-Baken-Case`. */
  headers?: Record<string, string>;
}

export interface EnqueueOptions {
  /** Unique per message: the same key again returns the existing message. */
  idempotencyKey: string;
  /** What kind of message, for logs and metrics: `hotline.notification`, `hotline.receipt`, `hub.alert`... */
  topic: string;
  /** What it belongs to, for delivery status pages. */
  refType?: string;
  refId?: string | number;
  maxAttempts?: number;
  /** The domain of Message-IDs; by default the host of BAKEN_PUBLIC_URL. */
  messageIdDomain?: string;
}

export interface Enqueued {
  id: number;
  messageId: string;
  /** False when a message with this idempotency key existed already. */
  created: boolean;
}

/**
 * Queues an email in the caller's transaction.
 * @example
 * await enqueueEmail(trx, ctx.clock, { idempotencyKey: `receipt:${reportId}`, topic: 'hotline.receipt', to: [email], subject, text });
 */
export async function enqueueEmail(db: Kysely<Database>, clock: Clock, input: EmailMessage & EnqueueOptions): Promise<Enqueued> {
  const { idempotencyKey, topic, refType, refId, maxAttempts, messageIdDomain, ...message } = input;
  const options = { idempotencyKey, topic, refType, refId, maxAttempts, messageIdDomain };
  if (message.to.length === 0) throw new Error('an email needs at least one recipient');
  const existing = await db.selectFrom('outbox').select(['id', 'message_id']).where('idempotency_key', '=', options.idempotencyKey).executeTakeFirst();
  if (existing) return { id: existing.id, messageId: existing.message_id, created: false };
  const now = clock.now().toISOString();
  const messageId = `<${randomToken(12)}.${Date.parse(now).toString(36)}@${options.messageIdDomain ?? hostname()}>`;
  const row = await db
    .insertInto('outbox')
    .values({
      channel: 'email',
      topic: options.topic,
      idempotency_key: options.idempotencyKey,
      destination: message.to.join(', ').slice(0, 500),
      message_id: messageId,
      payload: JSON.stringify(message),
      status: 'pending',
      attempts: 0,
      max_attempts: options.maxAttempts ?? 8,
      next_attempt_at: now,
      lease_owner: null,
      leased_until: null,
      last_error: null,
      ref_type: options.refType ?? null,
      ref_id: options.refId !== undefined ? String(options.refId) : null,
      created_at: now,
      sent_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  outboxSignal.notify();
  return { id: row.id, messageId, created: true };
}

/**
 * Queues many emails in the caller's transaction, in multi-row inserts: what a fan-out to a thousand alert contacts
 * needs (a statement per hundred emails rather than two per email). An email whose idempotency key is queued already
 * is skipped, as with {@link enqueueEmail}; each gets its own stable Message-ID.
 * @returns how many emails were queued (not counting those that existed).
 * @example await enqueueEmails(trx, ctx.clock, contacts.map((c) => ({ idempotencyKey: `x:${c.email}`, topic: 'hub.alert', to: [c.email], subject, text })));
 */
export async function enqueueEmails(db: Kysely<Database>, clock: Clock, inputs: ReadonlyArray<EmailMessage & EnqueueOptions>): Promise<number> {
  if (inputs.length === 0) return 0;
  const now = clock.now().toISOString();
  const stamp = Date.parse(now).toString(36);
  let created = 0;
  // 17 columns a row: 100 rows stay far below SQLite's 32,766 and PostgreSQL's 65,535 parameters, and a statement
  // stays a few megabytes even when each email lists two hundred indicators.
  for (let i = 0; i < inputs.length; i += 100) {
    const rows = inputs.slice(i, i + 100).map((input) => {
      const { idempotencyKey, topic, refType, refId, maxAttempts, messageIdDomain, ...message } = input;
      if (message.to.length === 0) throw new Error('an email needs at least one recipient');
      return {
        channel: 'email' as const,
        topic,
        idempotency_key: idempotencyKey,
        destination: message.to.join(', ').slice(0, 500),
        message_id: `<${randomToken(12)}.${stamp}@${messageIdDomain ?? hostname()}>`,
        payload: JSON.stringify(message),
        status: 'pending' as const,
        attempts: 0,
        max_attempts: maxAttempts ?? 8,
        next_attempt_at: now,
        lease_owner: null,
        leased_until: null,
        last_error: null,
        ref_type: refType ?? null,
        ref_id: refId !== undefined ? String(refId) : null,
        created_at: now,
        sent_at: null,
      };
    });
    const r = await db.insertInto('outbox').values(rows).onConflict((oc) => oc.column('idempotency_key').doNothing()).executeTakeFirst();
    created += Number(r.numInsertedOrUpdatedRows ?? 0n);
  }
  outboxSignal.notify();
  return created;
}

/** In-process wake-up for workers, so a queued message leaves at once rather than at the next poll. */
export const outboxSignal = {
  listeners: new Set<() => void>(),
  notify(): void {
    for (const l of this.listeners) l();
  },
};

export interface DeliveryState {
  id: number;
  destination: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  nextAttemptAt: string;
  refId: string | null;
}

/** Delivery status of every message that belongs to something (a round, an alert). */
export async function deliveryStates(db: Kysely<Database>, refType: string, refIds?: readonly string[]): Promise<DeliveryState[]> {
  let q = db.selectFrom('outbox').select(['id', 'destination', 'status', 'attempts', 'last_error', 'sent_at', 'next_attempt_at', 'ref_id']).where('ref_type', '=', refType);
  if (refIds) q = q.where('ref_id', 'in', refIds.length > 0 ? [...refIds] : ['']);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, destination: r.destination, status: r.status, attempts: r.attempts, lastError: r.last_error, sentAt: r.sent_at, nextAttemptAt: r.next_attempt_at, refId: r.ref_id }));
}
