/** What leaves the system about member profiles. Webhook secrets never do, except once where they are made. */
import type { DeliveryMessage, MemberContact, MemberDeliveryHistory, MemberPreferences, MemberProfile, MemberSummary, WebhookInfo } from '../hub/members/index.js';
import { presentOrganisation } from './presenters.js';

export function presentDeliveryMessage(m: DeliveryMessage) {
  return { channel: m.channel, topic: m.topic, destination: m.destination, status: m.status, attempts: m.attempts, last_error: m.lastError, created_at: m.createdAt, sent_at: m.sentAt };
}

export function presentDeliveryHistory(h: MemberDeliveryHistory) {
  return {
    alerts: h.alerts.map((a) => ({
      alert: { id: a.alertId, title: a.title, tlp: a.tlp, state: a.state },
      added_at: a.addedAt,
      acknowledged_at: a.acknowledgedAt,
      acknowledged_by: a.acknowledgedBy,
      messages: a.messages.map(presentDeliveryMessage),
    })),
    digests: h.digests.map((d) => ({ day: d.day, items: d.items, created_at: d.createdAt, messages: d.messages.map(presentDeliveryMessage) })),
  };
}

export function presentPreferences(p: MemberPreferences) {
  return { tlp_levels: p.tlpLevels, sectors: p.sectors, delivery: p.delivery };
}

export function presentContact(c: MemberContact) {
  return { id: c.id, email: c.email, language: c.language, created_at: c.createdAt };
}

export function presentWebhook(w: WebhookInfo) {
  return { url: w.url, secret_hint: w.secretHint, set_at: w.setAt, rotated_at: w.rotatedAt };
}

export function presentMemberProfile(p: MemberProfile) {
  return {
    organisation: presentOrganisation(p.organisation),
    contacts: p.contacts.map(presentContact),
    webhook: p.webhook ? presentWebhook(p.webhook) : null,
    preferences: presentPreferences(p.preferences),
    admins: p.admins.map((a) => ({ id: a.id, email: a.email, name: a.name })),
  };
}

export function presentMemberSummary(s: MemberSummary) {
  return { organisation: presentOrganisation(s.organisation), contacts: s.contacts, has_webhook: s.hasWebhook, admins: s.admins, preferences: presentPreferences(s.preferences) };
}
