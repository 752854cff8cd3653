/**
 * Webhook calls through the outbox, and the signature scheme (docs/webhooks.md).
 *
 * A call is queued like an email: in the caller's transaction, under an idempotency key, with a stable
 * delivery id (`X-Baken-Delivery`) that every attempt carries, so a receiver can drop a retry it has
 * processed already. It is signed when it is *sent*, not when it is queued: a retry hours later carries a
 * fresh timestamp, which receivers need because they reject timestamps older than five minutes.
 *
 * Signature: `X-Baken-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, with
 * `X-Baken-Timestamp` the Unix time in seconds. Receivers verify with {@link verifyWebhookSignature}.
 */
import { lookup } from 'node:dns/promises';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Kysely } from 'kysely';
import { classifyIp } from '../../net/classify-ip.js';
import { parseIp } from '../../net/ip-address.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { randomToken } from '../tokens.js';
import { PermanentDeliveryError } from './mailer.js';
import { insertOutboxRows, outboxSignal, pendingOutboxRow, type Enqueued } from './outbox.js';

export const WEBHOOK_HEADERS = {
  timestamp: 'X-Baken-Timestamp',
  signature: 'X-Baken-Signature',
  delivery: 'X-Baken-Delivery',
  event: 'X-Baken-Event',
} as const;

/** How old a timestamp a receiver should accept, in seconds (and how far in the future, for clock skew). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** What a queued webhook call holds (the outbox row's payload). */
export interface WebhookPayload {
  url: string;
  secret: string;
  event: string;
  /** The JSON body, serialised once: every attempt sends exactly these bytes. */
  body: string;
}

export interface EnqueueWebhookInput {
  url: string;
  secret: string;
  /** What happened, e.g. `alert.published`, `sighting.rebroadcast`, `ping`. */
  event: string;
  /** Serialised as JSON once, now. */
  body: unknown;
  idempotencyKey: string;
  refType?: string;
  refId?: string | number;
  /** Default `webhook.<event>`. */
  topic?: string;
  maxAttempts?: number;
}

/**
 * Queues a signed webhook call in the caller's transaction. The same idempotency key again is a no-op.
 * @example
 * await enqueueWebhook(trx, ctx.clock, {
 *   url: member.webhook.url, secret: member.webhook.secret, event: 'alert.published',
 *   body: presentAlertForWebhook(alert), idempotencyKey: `alert:${alert.id}:member:${member.id}:webhook`,
 *   refType: 'alert', refId: alert.id,
 * });
 */
export async function enqueueWebhook(db: Kysely<Database>, clock: Clock, input: EnqueueWebhookInput): Promise<Enqueued> {
  const existing = await db.selectFrom('outbox').select(['id', 'message_id']).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
  if (existing) return { id: existing.id, messageId: existing.message_id, created: false };
  const now = clock.now().toISOString();
  const deliveryId = `whd_${randomToken(16)}`;
  const payload: WebhookPayload = { url: input.url, secret: input.secret, event: input.event, body: JSON.stringify(input.body) };
  const row = await db
    .insertInto('outbox')
    // The whole URL is the destination: the unit of the per-destination rate limit and of status pages.
    .values(pendingOutboxRow(now, { channel: 'webhook', topic: input.topic ?? `webhook.${input.event}`, idempotencyKey: input.idempotencyKey, destination: input.url, messageId: deliveryId, payload: JSON.stringify(payload), maxAttempts: input.maxAttempts, refType: input.refType, refId: input.refId }))
    .returning('id')
    .executeTakeFirstOrThrow();
  outboxSignal.notify();
  return { id: row.id, messageId: deliveryId, created: true };
}

/**
 * Queues many signed webhook calls in the caller's transaction, in multi-row inserts: what a fan-out to a thousand
 * members needs (one statement per couple of hundred calls rather than two per call). A call whose idempotency key is
 * queued already is skipped, as with {@link enqueueWebhook}. `bodyJson`, when given, is the body serialised already
 * (a fan-out serialises the part all recipients share once).
 * @returns how many calls were queued (not counting those that existed).
 */
export async function enqueueWebhooks(db: Kysely<Database>, clock: Clock, inputs: ReadonlyArray<EnqueueWebhookInput & { bodyJson?: string }>): Promise<number> {
  if (inputs.length === 0) return 0;
  const now = clock.now().toISOString();
  const rows = inputs.map((input) => {
    const payload: WebhookPayload = { url: input.url, secret: input.secret, event: input.event, body: input.bodyJson ?? JSON.stringify(input.body) };
    return pendingOutboxRow(now, { channel: 'webhook', topic: input.topic ?? `webhook.${input.event}`, idempotencyKey: input.idempotencyKey, destination: input.url, messageId: `whd_${randomToken(16)}`, payload: JSON.stringify(payload), maxAttempts: input.maxAttempts, refType: input.refType, refId: input.refId });
  });
  // 250 rows of 17 columns stay well below PostgreSQL's 65,535 and SQLite's 32,766 parameters.
  return insertOutboxRows(db, rows, 250);
}

/**
 * After a secret is rotated, calls still waiting for a URL are signed with the new secret, so the
 * receiver (which switches to the new one) does not reject them. Returns how many were changed.
 */
export async function resecretPendingWebhooks(db: Kysely<Database>, url: string, secret: string): Promise<number> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('channel', '=', 'webhook')
    .where('destination', '=', url.slice(0, 500))
    .where('status', 'in', ['pending', 'sending'])
    .execute();
  let changed = 0;
  for (const r of rows) {
    const p = JSON.parse(r.payload) as WebhookPayload;
    if (p.url !== url || p.secret === secret) continue;
    await db.updateTable('outbox').set({ payload: JSON.stringify({ ...p, secret }) }).where('id', '=', r.id).execute();
    changed++;
  }
  return changed;
}

/** The hex HMAC-SHA256 of `timestamp + "." + body`. */
export function webhookSignature(secret: string, timestamp: string | number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The headers of one attempt, signed at `now`. */
export function signedWebhookHeaders(secret: string, deliveryId: string, event: string, body: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    'content-type': 'application/json',
    'user-agent': 'Baken-Webhook/1',
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: `v1=${webhookSignature(secret, timestamp, body)}`,
    [WEBHOOK_HEADERS.delivery]: deliveryId,
    [WEBHOOK_HEADERS.event]: event,
  };
}

export type WebhookVerification =
  | { ok: true; deliveryId: string | null; event: string | null; timestamp: number }
  | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'too-old' | 'in-the-future' | 'bad-signature' };

/**
 * What a receiver does with a call: checks the timestamp is at most five minutes off and that one of the
 * `v1=` signatures matches, in constant time. Header names are matched without regard to case, so the
 * headers object of node:http (lower case) and of fetch both work. Use the raw body, not a re-serialised one.
 * @example
 * const v = verifyWebhookSignature(secret, req.headers, rawBody, new Date());
 * if (!v.ok) return res.writeHead(400).end(v.reason);
 */
export function verifyWebhookSignature(
  secret: string,
  headers: Record<string, string | string[] | undefined> | Headers,
  body: string | Buffer,
  now: Date = new Date(),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  const get = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const h = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key === undefined ? undefined : h[key];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const ts = get(WEBHOOK_HEADERS.timestamp);
  const sig = get(WEBHOOK_HEADERS.signature);
  if (!ts || !sig) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad-timestamp' };
  const age = Math.floor(now.getTime() / 1000) - Number(ts);
  if (age > toleranceSeconds) return { ok: false, reason: 'too-old' };
  if (age < -toleranceSeconds) return { ok: false, reason: 'in-the-future' };
  const expected = Buffer.from(webhookSignature(secret, ts, typeof body === 'string' ? body : body.toString('utf8')), 'hex');
  const candidates = sig
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3), 'hex'));
  if (!candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected))) return { ok: false, reason: 'bad-signature' };
  return { ok: true, deliveryId: get(WEBHOOK_HEADERS.delivery) ?? null, event: get(WEBHOOK_HEADERS.event) ?? null, timestamp: Number(ts) };
}

/** One attempt of one call, as the worker hands it to a sender. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The narrow interface to the outside world. `send` resolves on a 2xx answer, throws
 * {@link PermanentDeliveryError} when retrying cannot help (4xx except 408 and 429, a refused
 * destination), and any other error for a temporary failure (5xx, 408, 429, timeouts, refused connections).
 */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<void>;
}

export interface HttpWebhookSenderOptions {
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Allow loopback, private and other special-purpose addresses (tests, on-premises receivers). Default false. */
  allowPrivate?: boolean;
  /** Resolves a host name to its addresses; default the system resolver. Tests give a resolver of their own. */
  resolve?: Resolve;
}

/** What the sender asks of DNS: every address of a name. */
export type Resolve = (host: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

const systemResolve: Resolve = (host) => lookup(host, { all: true });

/** The addresses a call may go to: public ones only, unless allowed; a name with any inner address is refused whole. */
function assertPublicAddresses(host: string, addresses: readonly string[]): void {
  for (const a of addresses) {
    const kind = classifyIp(parseIp(a));
    if (!kind.globallyReachable) throw new PermanentDeliveryError(`${host} resolves to ${a}, which is not a public address (${kind.reason}); set BAKEN_WEBHOOK_ALLOW_PRIVATE=true to allow it`);
  }
}

/**
 * The lookup the socket connects with: the addresses checked are the addresses connected to. Checking a name first
 * and letting the connection resolve it again would let a name that answers with a public address for the check and
 * with 127.0.0.1 for the connection (DNS rebinding) reach the coordinator's own network.
 */
function checkedLookup(resolve: Resolve, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((found) => {
        if (found.length === 0) throw new Error(`${hostname} does not resolve`);
        if (!allowPrivate) assertPublicAddresses(hostname, found.map((a) => a.address));
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family === 0 ? found : found.filter((a) => a.family === family);
        if (usable.length === 0) throw new Error(`${hostname} has no IPv${family} address`);
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, usable[0]!.address, usable[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}

/**
 * POSTs with node:http(s) over keep-alive connections, without following redirects (a redirect is an answer, not a
 * delivery). Unless allowed, destinations that resolve to loopback, private or link-local addresses are refused, so a
 * member's webhook URL cannot make Baken probe the coordinator's own network: an address in the URL is checked before
 * connecting, a name when the connection resolves it (see checkedLookup).
 */
export function createHttpWebhookSender(options: HttpWebhookSenderOptions = {}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const allowPrivate = options.allowPrivate === true;
  const lookupFn = checkedLookup(options.resolve ?? systemResolve, allowPrivate);
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  return {
    async send(request) {
      const url = new URL(request.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PermanentDeliveryError(`${url.protocol} is not http or https`);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!allowPrivate && isIP(host)) assertPublicAddresses(host, [host]);
      const body = Buffer.from(request.body, 'utf8');
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const https = url.protocol === 'https:';
        const req = (https ? httpsRequest : httpRequest)(
          url,
          { method: 'POST', headers: { ...request.headers, 'content-length': String(body.length) }, agent: https ? httpsAgent : httpAgent, lookup: lookupFn },
          (res) => {
            // The body is not needed; a little of it gives the error a reason, and reading to the end frees the connection.
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              if (text.length < 200) text += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, 200) }));
            res.on('error', reject);
          },
        );
        const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
        req.on('close', () => clearTimeout(timer));
        req.on('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (err instanceof PermanentDeliveryError || err.code === 'TIMEOUT') reject(err);
          else reject(new Error(`${err.code ?? err.name}: ${err.message}`));
        });
        req.end(body);
      });
      if (status >= 200 && status < 300) return;
      const message = `HTTP ${status}${text ? `: ${text}` : ''}`;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new PermanentDeliveryError(message);
      throw new Error(message);
    },
  };
}
