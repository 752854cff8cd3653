/**
 * A member organisation's webhook: a URL and a secret Baken generates, shown once (when first set and
 * when rotated). Calls are signed with it (src/platform/delivery/webhooks.ts, docs/webhooks.md).
 */
import { isIP } from 'node:net';
import { audit } from '../../platform/audit.js';
import type { Caller, Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueWebhook, resecretPendingWebhooks } from '../../platform/delivery/webhooks.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { randomToken } from '../../platform/tokens.js';
import { classifyIp } from '../../net/classify-ip.js';
import { parseIp } from '../../net/ip-address.js';
import { assertMember, ensureProfile, secretHint, toWebhookInfo, type WebhookInfo } from './member-profile.js';

export function generateWebhookSecret(): string {
  return `whsec_${randomToken(32)}`;
}

/**
 * A webhook URL Baken will call: http(s), no credentials in it, at most 2,000 characters. Unless
 * BAKEN_WEBHOOK_ALLOW_PRIVATE is set it must be https and must not name a loopback or private address
 * (host names are checked again, resolved, at every call).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  const s = raw.trim();
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw invalid('url', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('url', 'must be an http or https URL');
  if (url.protocol === 'http:' && !allowPrivate) throw invalid('url', 'must be https (plain http only when BAKEN_WEBHOOK_ALLOW_PRIVATE is set)');
  if (url.username || url.password) throw invalid('url', 'must not carry a user name or password; the signature proves the sender');
  if (s.length > 2000) throw invalid('url', 'must be at most 2000 characters');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate) {
    if (host === 'localhost' || host.endsWith('.localhost')) throw invalid('url', 'must not point at this machine');
    if (isIP(host) && !classifyIp(parseIp(host)).globallyReachable) throw invalid('url', `${host} is not a public address`);
  }
  url.hash = '';
  return url.toString();
}

export interface WebhookSet {
  webhook: WebhookInfo;
  /** The whole secret, when one was made now (a first webhook, or a rotation); null when the secret stays. */
  secret: string | null;
}

/**
 * Sets the URL. A first webhook gets a new secret, returned here once; changing the URL keeps the secret.
 * @example const { secret } = await setWebhook(ctx, caller, 7, 'https://soc.example/baken');
 */
export async function setWebhook(ctx: Context, by: Caller, organisationId: number, rawUrl: string): Promise<WebhookSet> {
  const url = checkWebhookUrl(rawUrl, ctx.config.webhookAllowPrivate);
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const now = ctx.clock.now().toISOString();
    const current = await ensureProfile(trx, organisationId, now);
    const secret = current.webhook_secret ?? generateWebhookSecret();
    const row = await trx
      .updateTable('member_profiles')
      .set({ webhook_url: url, webhook_secret: secret, webhook_set_at: now, updated_at: now, ...(current.webhook_secret ? {} : { webhook_rotated_at: null }) })
      .where('organisation_id', '=', organisationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, ctx.clock, by, { action: 'member.webhook_set', target: { type: 'organisation', id: organisationId }, details: { url, previous: current.webhook_url, newSecret: !current.webhook_secret } });
    return { webhook: toWebhookInfo(row)!, secret: current.webhook_secret ? null : secret };
  });
}

/** A new secret, returned once; calls still queued for the webhook are re-signed with it. */
export async function rotateWebhookSecret(ctx: Context, by: Caller, organisationId: number): Promise<WebhookSet & { secret: string }> {
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const now = ctx.clock.now().toISOString();
    const current = await ensureProfile(trx, organisationId, now);
    if (!current.webhook_url) throw new BakenError('NO_WEBHOOK', { detail: 'set a webhook URL first' });
    const secret = generateWebhookSecret();
    const row = await trx
      .updateTable('member_profiles')
      .set({ webhook_secret: secret, webhook_rotated_at: now, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const resigned = await resecretPendingWebhooks(trx, current.webhook_url, secret);
    await audit(trx, ctx.clock, by, { action: 'member.webhook_rotate', target: { type: 'organisation', id: organisationId }, details: { url: current.webhook_url, hint: secretHint(secret), queuedCallsResigned: resigned } });
    return { webhook: toWebhookInfo(row)!, secret };
  });
}

/** Removes the webhook and its secret. Calls already queued still go out (they were due before). */
export async function clearWebhook(ctx: Context, by: Caller, organisationId: number): Promise<void> {
  await transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const now = ctx.clock.now().toISOString();
    const current = await ensureProfile(trx, organisationId, now);
    if (!current.webhook_url) throw new BakenError('NO_WEBHOOK');
    await trx
      .updateTable('member_profiles')
      .set({ webhook_url: null, webhook_secret: null, webhook_set_at: null, webhook_rotated_at: null, updated_at: now })
      .where('organisation_id', '=', organisationId)
      .execute();
    await audit(trx, ctx.clock, by, { action: 'member.webhook_clear', target: { type: 'organisation', id: organisationId }, details: { url: current.webhook_url } });
  });
}

/**
 * Queues a signed `ping` call to the webhook, so a member can check its receiver and signature check; the result
 * shows in the webhook's state like any other call (see memberActivity).
 */
export async function testWebhook(ctx: Context, by: Caller, organisationId: number): Promise<{ deliveryId: string }> {
  return transact(ctx.db.kysely, async (trx) => {
    await assertMember(trx, organisationId);
    const now = ctx.clock.now().toISOString();
    const current = await ensureProfile(trx, organisationId, now);
    if (!current.webhook_url || !current.webhook_secret) throw new BakenError('NO_WEBHOOK', { detail: 'set a webhook URL first' });
    const r = await enqueueWebhook(trx, ctx.clock, {
      url: current.webhook_url,
      secret: current.webhook_secret,
      event: 'ping',
      body: { event: 'ping', at: now, recipient: { organisation_id: organisationId } },
      idempotencyKey: `ping:${organisationId}:${now}:${randomToken(6)}`,
      refType: 'member',
      refId: String(organisationId),
      topic: 'hub.member.ping',
      maxAttempts: 3,
    });
    await audit(trx, ctx.clock, by, { action: 'member.webhook_test', target: { type: 'organisation', id: organisationId }, details: { url: current.webhook_url } });
    return { deliveryId: r.messageId };
  });
}
