/**
 * Queueing outgoing messages. A message is rendered completely when it is
 * queued (subject, body, attachments, Message-ID), in the same transaction as
 * the change that caused it: what is committed will be sent, what is rolled
 * back never exists. The idempotency key makes queueing the same message twice
 * a no-op, so a resumed round cannot double it.
 */
import { hostname } from 'node:os';
import type { Insertable, Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, OutboxTable } from '../db/schema.js';
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
  if (input.to.length === 0) throw new Error('an email needs at least one recipient');
  const existing = await db.selectFrom('outbox').select(['id', 'message_id']).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
  if (existing) return { id: existing.id, messageId: existing.message_id, created: false };
  const values = emailRow(clock.now().toISOString(), input);
  const row = await db.insertInto('outbox').values(values).returning('id').executeTakeFirstOrThrow();
  outboxSignal.notify();
  return { id: row.id, messageId: values.message_id, created: true };
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
  const rows = inputs.map((input) => {
    if (input.to.length === 0) throw new Error('an email needs at least one recipient');
    return emailRow(now, input);
  });
  // 100 rows of 17 columns stay far below SQLite's 32,766 and PostgreSQL's 65,535 parameters, and a statement stays a
  // few megabytes even when each email lists two hundred indicators.
  return insertOutboxRows(db, rows, 100);
}

/** An email's outbox row, with a Message-ID of its own (stable over every attempt). */
function emailRow(now: string, input: EmailMessage & EnqueueOptions): Insertable<OutboxTable> & { message_id: string } {
  const { idempotencyKey, topic, refType, refId, maxAttempts, messageIdDomain, ...message } = input;
  const messageId = `<${randomToken(12)}.${Date.parse(now).toString(36)}@${messageIdDomain ?? hostname()}>`;
  return { ...pendingOutboxRow(now, { channel: 'email', topic, idempotencyKey, destination: message.to.join(', '), messageId, payload: JSON.stringify(message), maxAttempts, refType, refId }), message_id: messageId };
}

/** What a queued message's row is made of; the rest of the row is what every new message starts with. */
export interface PendingMessage {
  channel: OutboxTable['channel'];
  topic: string;
  idempotencyKey: string;
  /** The unit of the per-destination rate limit and of status pages (cut to 500 characters). */
  destination: string;
  messageId: string;
  payload: string;
  maxAttempts?: number | undefined;
  refType?: string | undefined;
  refId?: string | number | undefined;
}

/** The outbox row of a message queued at `now`, due at once. */
export function pendingOutboxRow(now: string, m: PendingMessage): Insertable<OutboxTable> {
  return {
    channel: m.channel,
    topic: m.topic,
    idempotency_key: m.idempotencyKey,
    destination: m.destination.slice(0, 500),
    message_id: m.messageId,
    payload: m.payload,
    status: 'pending',
    attempts: 0,
    max_attempts: m.maxAttempts ?? 8,
    next_attempt_at: now,
    lease_owner: null,
    leased_until: null,
    last_error: null,
    ref_type: m.refType ?? null,
    ref_id: m.refId !== undefined ? String(m.refId) : null,
    created_at: now,
    sent_at: null,
  };
}

/**
 * Inserts outbox rows `per` to a statement, skipping those whose idempotency key is queued already, and wakes the
 * workers. @returns how many were queued.
 */
export async function insertOutboxRows(db: Kysely<Database>, rows: ReadonlyArray<Insertable<OutboxTable>>, per: number): Promise<number> {
  let created = 0;
  for (let i = 0; i < rows.length; i += per) {
    const r = await db.insertInto('outbox').values(rows.slice(i, i + per)).onConflict((oc) => oc.column('idempotency_key').doNothing()).executeTakeFirst();
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
