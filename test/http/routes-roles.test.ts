/**
 * Every route against every kind of caller. Each route names the permission it
 * needs; a caller without it must get 401 (anonymous) or 403, and a caller with
 * it must get through (anything but 401/403). Requests that would change state
 * are made with bodies or ids that the domain refuses, so the table can run in
 * any order. The last test fails when a route is added without a row here.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation, findOrganisation } from '../../src/accounts/organisations.js';
import { can, type Permission } from '../../src/accounts/policies.js';
import type { KeyRole } from '../../src/accounts/roles.js';
import { createUser } from '../../src/accounts/users.js';
import { SYSTEM } from '../../src/platform/context.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn, type Browser } from '../helpers/app.js';

/** `own-member`: staff with members:read, and the users and keys of the member organisation itself (ids.org). */
/** `member-or-indicators:read`: any member organisation's users and keys (within its TLP rights), and staff with indicators:read. */
type Access = Permission | 'public' | 'signed-in' | 'session' | 'own-member' | 'member-or-indicators:read';

interface Row {
  method: string;
  url: string;
  access: Access;
  /** A web page (sessions only) rather than the API (sessions and keys). */
  web?: boolean;
  payload?: Record<string, unknown>;
}

const ROWS: Row[] = [
  { method: 'GET', url: '/healthz', access: 'public' },
  { method: 'GET', url: '/readyz', access: 'public' },
  { method: 'GET', url: '/metrics', access: 'metrics:read' },
  { method: 'GET', url: '/static/baken.css', access: 'public' },
  { method: 'GET', url: '/static/alert-live.js', access: 'public' },
  { method: 'GET', url: '/about', access: 'public', web: true },
  { method: 'GET', url: '/language/nl', access: 'public', web: true },
  { method: 'GET', url: '/login', access: 'public', web: true },
  { method: 'GET', url: '/', access: 'session', web: true },
  { method: 'GET', url: '/api/v1/me', access: 'signed-in' },
  { method: 'GET', url: '/api/v1/sectors', access: 'public' },
  { method: 'GET', url: '/api/v1/organisations', access: 'organisations:read' },
  { method: 'POST', url: '/api/v1/organisations', access: 'organisations:manage', payload: { name: '', kind: 'member' } },
  { method: 'GET', url: '/api/v1/organisations/:org', access: 'organisations:read' },
  { method: 'PATCH', url: '/api/v1/organisations/:org', access: 'organisations:manage', payload: { sector: 'no-such-sector' } },
  { method: 'GET', url: '/api/v1/users', access: 'users:manage' },
  { method: 'POST', url: '/api/v1/users', access: 'users:manage', payload: { email: 'x', role: 'member', organisation_id: 1 } },
  { method: 'GET', url: '/api/v1/users/:user', access: 'users:manage' },
  { method: 'PATCH', url: '/api/v1/users/:user', access: 'users:manage', payload: { role: 'emperor' } },
  { method: 'POST', url: '/api/v1/users/:user/password', access: 'users:manage', payload: { password: 'short' } },
  { method: 'GET', url: '/api/v1/api-keys', access: 'apikeys:manage' },
  { method: 'POST', url: '/api/v1/api-keys', access: 'apikeys:manage', payload: { organisation_id: 1, role: 'nobody' } },
  { method: 'GET', url: '/api/v1/api-keys/:key', access: 'apikeys:manage' },
  { method: 'DELETE', url: '/api/v1/api-keys/999999', access: 'apikeys:manage' },
  { method: 'GET', url: '/api/v1/audit', access: 'audit:read' },
  { method: 'GET', url: '/admin/organisations', access: 'organisations:read', web: true },
  { method: 'POST', url: '/admin/organisations', access: 'organisations:manage', web: true, payload: { name: '' } },
  { method: 'GET', url: '/admin/organisations/:org', access: 'organisations:manage', web: true },
  { method: 'POST', url: '/admin/organisations/:org', access: 'organisations:manage', web: true, payload: { name: '' } },
  { method: 'GET', url: '/admin/users', access: 'users:manage', web: true },
  { method: 'POST', url: '/admin/users', access: 'users:manage', web: true, payload: { email: 'not an email' } },
  { method: 'GET', url: '/admin/users/:user', access: 'users:manage', web: true },
  { method: 'POST', url: '/admin/users/:user', access: 'users:manage', web: true, payload: { role: 'emperor' } },
  { method: 'POST', url: '/admin/users/999999/disable', access: 'users:manage', web: true },
  { method: 'POST', url: '/admin/users/:user/password', access: 'users:manage', web: true, payload: { password: 'short' } },
  { method: 'GET', url: '/admin/keys', access: 'apikeys:manage', web: true },
  { method: 'POST', url: '/admin/keys', access: 'apikeys:manage', web: true, payload: { role: 'nobody' } },
  { method: 'POST', url: '/admin/keys/999999/revoke', access: 'apikeys:manage', web: true },
  { method: 'GET', url: '/admin/audit', access: 'audit:read', web: true },
  { method: 'GET', url: '/api/v1/lookup?ip=192.0.2.1', access: 'registry:lookup' },
  { method: 'POST', url: '/api/v1/lookup', access: 'registry:lookup', payload: { ips: ['192.0.2.1'] } },
  { method: 'GET', url: '/api/v1/operators', access: 'operators:read' },
  { method: 'POST', url: '/api/v1/operators', access: 'operators:manage', payload: { name: 'Refused', asns: ['AS0'] } },
  { method: 'GET', url: '/api/v1/operators/export.csv', access: 'operators:read' },
  { method: 'POST', url: '/api/v1/operators/import', access: 'operators:manage', payload: { not: 'csv' } },
  { method: 'GET', url: '/api/v1/operators/999999', access: 'operators:read' },
  { method: 'PATCH', url: '/api/v1/operators/999999', access: 'operators:manage', payload: { notes: 'x' } },
  { method: 'GET', url: '/api/v1/indicators?type=domain', access: 'indicators:read' },
  { method: 'POST', url: '/api/v1/indicators', access: 'indicators:manage', payload: { value: '10.0.0.1' } },
  { method: 'POST', url: '/api/v1/indicators/import', access: 'indicators:manage', payload: { not: 'text' } },
  { method: 'GET', url: '/api/v1/indicators/999999', access: 'indicators:read' },
  { method: 'PATCH', url: '/api/v1/indicators/999999', access: 'indicators:manage', payload: { tlp: 'RED' } },
  { method: 'GET', url: '/api/v1/analyses', access: 'analyses:manage' },
  { method: 'POST', url: '/api/v1/analyses', access: 'analyses:manage', payload: { title: '', body: '', tlp: 'RED', severity: 'low' } },
  { method: 'GET', url: '/api/v1/analyses/999999', access: 'analyses:manage' },
  { method: 'PATCH', url: '/api/v1/analyses/999999', access: 'analyses:manage', payload: { severity: 'low' } },
  { method: 'POST', url: '/api/v1/analyses/999999/publish', access: 'analyses:manage' },
  { method: 'GET', url: '/api/v1/analyses/999999/versions', access: 'analyses:manage' },
  { method: 'GET', url: '/api/v1/analyses/999999/versions/:version', access: 'analyses:manage' },
  { method: 'GET', url: '/indicators', access: 'indicators:read', web: true },
  { method: 'GET', url: '/indicators/import', access: 'indicators:manage', web: true },
  { method: 'POST', url: '/indicators/import', access: 'indicators:manage', web: true, payload: { text: '10.0.0.1' } },
  { method: 'GET', url: '/indicators/999999', access: 'indicators:read', web: true },
  { method: 'GET', url: '/analyses', access: 'analyses:manage', web: true },
  { method: 'POST', url: '/analyses', access: 'analyses:manage', web: true, payload: { title: '' } },
  { method: 'GET', url: '/analyses/999999', access: 'analyses:manage', web: true },
  { method: 'POST', url: '/analyses/999999', access: 'analyses:manage', web: true, payload: { title: '' } },
  { method: 'POST', url: '/analyses/999999/publish', access: 'analyses:manage', web: true },
  { method: 'GET', url: '/lookup', access: 'registry:lookup', web: true },
  { method: 'POST', url: '/lookup', access: 'registry:lookup', web: true, payload: { ips: '192.0.2.1' } },
  { method: 'GET', url: '/operators', access: 'operators:read', web: true },
  { method: 'POST', url: '/operators', access: 'operators:manage', web: true, payload: { name: '' } },
  { method: 'POST', url: '/operators/import', access: 'operators:manage', web: true, payload: { csv: 'name\n' } },
  { method: 'GET', url: '/operators/999999', access: 'operators:manage', web: true },
  { method: 'POST', url: '/operators/999999', access: 'operators:manage', web: true, payload: { name: 'x' } },
  { method: 'GET', url: '/api/v1/cases', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases', access: 'cases:manage', payload: { title: '' } },
  { method: 'GET', url: '/api/v1/cases/999999', access: 'cases:read' },
  { method: 'PATCH', url: '/api/v1/cases/999999', access: 'cases:manage', payload: { title: 'x' } },
  { method: 'POST', url: '/api/v1/cases/999999/state', access: 'cases:manage', payload: { state: 'closed' } },
  { method: 'POST', url: '/api/v1/cases/999999/merge', access: 'cases:manage', payload: { primary: 'BKN-2000-00001' } },
  { method: 'POST', url: '/api/v1/cases/999999/handlers', access: 'cases:manage', payload: { user_id: 1 } },
  { method: 'DELETE', url: '/api/v1/cases/999999/handlers/:userId', access: 'cases:manage' },
  { method: 'GET', url: '/api/v1/cases/999999/events', access: 'cases:read' },
  { method: 'GET', url: '/api/v1/cases/999999/comments', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases/999999/comments', access: 'cases:manage', payload: { body: 'x' } },
  { method: 'GET', url: '/api/v1/cases/999999/evidence', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases/999999/evidence', access: 'cases:manage', payload: { name: 'x', data_base64: 'eA==' } },
  { method: 'GET', url: '/api/v1/cases/999999/evidence/:evidenceId', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases/999999/hosts', access: 'cases:manage', payload: { not: 'text' } },
  { method: 'POST', url: '/api/v1/cases/999999/hosts/preview', access: 'cases:manage', payload: { not: 'text' } },
  { method: 'GET', url: '/api/v1/cases/999999/hosts', access: 'cases:read' },
  { method: 'GET', url: '/api/v1/cases/999999/uploads', access: 'cases:read' },
  { method: 'GET', url: '/api/v1/cases/999999/rejected', access: 'cases:read' },
  { method: 'GET', url: '/api/v1/cases/999999/recipients', access: 'cases:read' },
  { method: 'GET', url: '/api/v1/cases/999999/unassigned', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases/999999/contacts', access: 'cases:manage', payload: { asn: 64500, email: 'a@b.example' } },
  { method: 'GET', url: '/api/v1/cases/999999/rounds', access: 'cases:read' },
  { method: 'POST', url: '/api/v1/cases/999999/rounds/preview', access: 'cases:manage', payload: {} },
  { method: 'POST', url: '/api/v1/cases/999999/rounds', access: 'cases:manage', payload: {} },
  { method: 'GET', url: '/cases/999999/notify', access: 'cases:manage', web: true },
  { method: 'POST', url: '/cases/999999/notify', access: 'cases:manage', web: true, payload: { kind: 'first' } },
  { method: 'POST', url: '/cases/999999/notify/template/nl', access: 'cases:manage', web: true, payload: { subject: '', body: '' } },
  { method: 'GET', url: '/cases/999999/publish', access: 'cases:manage', web: true },
  { method: 'POST', url: '/cases/999999/publish', access: 'cases:manage', web: true, payload: { summary: 'x' } },
  { method: 'POST', url: '/cases/999999/publish/withdraw', access: 'cases:manage', web: true },
  { method: 'GET', url: '/portal/:token', access: 'public', web: true },
  { method: 'GET', url: '/portal/:token/hosts.csv', access: 'public' },
  { method: 'GET', url: '/portal/:token/hosts.json', access: 'public' },
  { method: 'GET', url: '/published', access: 'public', web: true },
  { method: 'GET', url: '/published/feed.atom', access: 'public' },
  { method: 'GET', url: '/published/:caseId', access: 'public', web: true },
  { method: 'GET', url: '/hall-of-fame', access: 'public', web: true },
  { method: 'POST', url: '/api/v1/reports', access: 'public', payload: { title: '' } },
  { method: 'GET', url: '/api/v1/reports/status', access: 'public' },
  { method: 'POST', url: '/api/v1/reports/999999/hosts', access: 'public', payload: { not: 'text' } },
  { method: 'GET', url: '/report', access: 'public', web: true },
  { method: 'GET', url: '/reports/status/:token', access: 'public', web: true },
  { method: 'GET', url: '/cases', access: 'cases:read', web: true },
  { method: 'GET', url: '/cases/999999', access: 'cases:read', web: true },
  { method: 'GET', url: '/cases/999999/hosts', access: 'cases:read', web: true },
  { method: 'POST', url: '/cases/999999/state', access: 'cases:manage', web: true, payload: { state: 'closed' } },
  { method: 'POST', url: '/cases/999999/merge', access: 'cases:manage', web: true, payload: { primary: 'x' } },
  { method: 'POST', url: '/cases/999999/assign', access: 'cases:manage', web: true, payload: { user_id: '1' } },
  { method: 'POST', url: '/cases/999999/comment', access: 'cases:manage', web: true, payload: { body: 'x' } },
  { method: 'POST', url: '/cases/999999/evidence', access: 'cases:manage', web: true, payload: { file: 'x' } },
  { method: 'POST', url: '/cases/999999/contact', access: 'cases:manage', web: true, payload: { asn: '1', email: 'a@b.example' } },
  { method: 'POST', url: '/cases/999999/hosts', access: 'cases:manage', web: true, payload: { hosts: '192.0.2.1' } },
  { method: 'GET', url: '/api/v1/members', access: 'members:read' },
  { method: 'GET', url: '/api/v1/members/:org', access: 'own-member' },
  // The member user of this table is no member admin: managing its own organisation is refused like any other.
  { method: 'POST', url: '/api/v1/members/:org/contacts', access: 'members:manage', payload: { email: 'not an email' } },
  { method: 'DELETE', url: '/api/v1/members/:org/contacts/:contactId', access: 'members:manage' },
  { method: 'PUT', url: '/api/v1/members/:org/webhook', access: 'members:manage', payload: { url: 'ftp://x' } },
  { method: 'POST', url: '/api/v1/members/:org/webhook/rotate', access: 'members:manage' },
  { method: 'DELETE', url: '/api/v1/members/:org/webhook', access: 'members:manage' },
  { method: 'PUT', url: '/api/v1/members/:org/preferences', access: 'members:manage', payload: { tlp_levels: ['PURPLE'] } },
  { method: 'PUT', url: '/api/v1/members/:org/admins/:userId', access: 'members:manage' },
  { method: 'DELETE', url: '/api/v1/members/:org/admins/:userId', access: 'members:manage' },
  { method: 'PATCH', url: '/api/v1/members/:org/contacts/:contactId', access: 'members:manage', payload: { language: 'en' } },
  { method: 'POST', url: '/api/v1/members/:org/webhook/test', access: 'members:manage' },
  { method: 'GET', url: '/api/v1/members/:org/deliveries', access: 'own-member' },
  { method: 'GET', url: '/api/v1/members/:org/keys', access: 'members:manage' },
  { method: 'POST', url: '/api/v1/members/:org/keys', access: 'members:manage', payload: { expires: 'not a date' } },
  { method: 'DELETE', url: '/api/v1/members/:org/keys/:keyId', access: 'members:manage' },
  // Alerts: anyone signed in lists and reads what the TLP policy lets it see (an unknown or unseen alert is 404).
  { method: 'GET', url: '/api/v1/alerts', access: 'signed-in' },
  { method: 'POST', url: '/api/v1/alerts', access: 'alerts:manage', payload: { title: '', severity: 'low', summary: '', tlp: 'AMBER', audience: { kind: 'all' } } },
  { method: 'GET', url: '/api/v1/alerts/999999', access: 'signed-in' },
  { method: 'PATCH', url: '/api/v1/alerts/999999', access: 'alerts:manage', payload: { title: 'x' } },
  { method: 'GET', url: '/api/v1/alerts/999999/preview', access: 'alerts:manage' },
  { method: 'POST', url: '/api/v1/alerts/999999/publish', access: 'alerts:manage' },
  { method: 'POST', url: '/api/v1/alerts/999999/retract', access: 'alerts:manage', payload: {} },
  { method: 'POST', url: '/api/v1/alerts/999999/ack', access: 'signed-in' },
  { method: 'GET', url: '/api/v1/alerts/999999/deliveries', access: 'alerts:manage' },
  { method: 'GET', url: '/alerts', access: 'session', web: true },
  { method: 'POST', url: '/alerts', access: 'alerts:manage', web: true, payload: { title: '' } },
  { method: 'GET', url: '/alerts/999999', access: 'session', web: true },
  { method: 'POST', url: '/alerts/999999', access: 'alerts:manage', web: true, payload: { title: 'x' } },
  { method: 'POST', url: '/alerts/999999/publish', access: 'alerts:manage', web: true },
  { method: 'POST', url: '/alerts/999999/retract', access: 'alerts:manage', web: true, payload: { reason: 'x' } },
  { method: 'POST', url: '/alerts/999999/ack', access: 'session', web: true },
  { method: 'POST', url: '/api/v1/sightings', access: 'sightings:report', payload: {} },
  { method: 'POST', url: '/api/v1/sightings/bulk', access: 'sightings:report', payload: { items: [{}] } },
  { method: 'GET', url: '/api/v1/sightings', access: 'sightings:read' },
  { method: 'POST', url: '/api/v1/stix/bundles', access: 'signed-in', payload: { not: 'stix' } },
  { method: 'GET', url: '/api/v1/stix/bundle', access: 'signed-in' },
  { method: 'GET', url: '/api/v1/stix/indicators/:id', access: 'signed-in' },
  { method: 'POST', url: '/alerts/999999/sightings', access: 'sightings:report', web: true, payload: { indicator: '1' } },
  // Member pages: the list for staff; a profile for its own people and staff; changes by its member admins and the
  // coordinator's admin (the member user of this table is no member admin).
  { method: 'GET', url: '/members', access: 'members:read', web: true },
  { method: 'GET', url: '/my-organisation', access: 'session', web: true },
  { method: 'GET', url: '/members/:org', access: 'own-member', web: true },
  { method: 'POST', url: '/members/:org/contacts', access: 'members:manage', web: true, payload: { email: 'not an email' } },
  { method: 'POST', url: '/members/:org/contacts/:contactId', access: 'members:manage', web: true, payload: { language: 'en' } },
  { method: 'POST', url: '/members/:org/contacts/:contactId/remove', access: 'members:manage', web: true },
  { method: 'POST', url: '/members/:org/webhook', access: 'members:manage', web: true, payload: { url: 'ftp://x' } },
  { method: 'POST', url: '/members/:org/webhook/rotate', access: 'members:manage', web: true },
  { method: 'POST', url: '/members/:org/webhook/test', access: 'members:manage', web: true },
  { method: 'POST', url: '/members/:org/webhook/clear', access: 'members:manage', web: true },
  { method: 'POST', url: '/members/:org/preferences', access: 'members:manage', web: true, payload: { tlp_levels: 'PURPLE' } },
  { method: 'POST', url: '/members/:org/keys', access: 'members:manage', web: true, payload: { expires: 'not a date' } },
  { method: 'POST', url: '/members/:org/keys/:keyId/revoke', access: 'members:manage', web: true },
  // Correlation, the sightings overview and triage: coordinator staff only (they name organisations and cases).
  { method: 'GET', url: '/api/v1/correlate?value=evil[.]example', access: 'indicators:read' },
  { method: 'GET', url: '/api/v1/indicators/999999/sightings-per-day', access: 'indicators:read' },
  { method: 'GET', url: '/api/v1/sightings/overview', access: 'indicators:read' },
  { method: 'GET', url: '/api/v1/observations', access: 'indicators:read' },
  { method: 'GET', url: '/api/v1/observations/999999', access: 'indicators:read' },
  { method: 'POST', url: '/api/v1/observations/999999/promote', access: 'indicators:manage', payload: { tlp: 'AMBER', confidence: 50 } },
  { method: 'POST', url: '/api/v1/observations/999999/dismiss', access: 'indicators:manage', payload: { reason: 'x' } },
  { method: 'GET', url: '/hub/search?q=evil[.]example', access: 'indicators:read', web: true },
  { method: 'GET', url: '/hub/sightings', access: 'indicators:read', web: true },
  { method: 'GET', url: '/hub/observations', access: 'indicators:read', web: true },
  { method: 'POST', url: '/hub/observations/999999/promote', access: 'indicators:manage', web: true, payload: { tlp: 'AMBER', confidence: '50' } },
  { method: 'POST', url: '/hub/observations/999999/dismiss', access: 'indicators:manage', web: true, payload: { reason: 'x' } },
  { method: 'GET', url: '/feeds/zeek/intel.dat', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/suricata/baken-ip.lst', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/suricata/baken-domain.lst', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/suricata/baken-sha256.lst', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/suricata/baken.rules', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/rpz/baken.rpz', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/edl/ip.txt', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/edl/domain.txt', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/edl/url.txt', access: 'feeds:read' },
  { method: 'GET', url: '/feeds/csv/indicators.csv', access: 'feeds:read' },
  { method: 'POST', url: '/api/v1/misp/events', access: 'indicators:manage', payload: {} },
  // The MISP feed: anyone signed in gets its own, within its TLP rights (a metrics key: TLP:CLEAR only).
  { method: 'GET', url: '/feeds/misp/manifest.json', access: 'signed-in' },
  { method: 'GET', url: '/feeds/misp/hashes.csv', access: 'signed-in' },
  { method: 'GET', url: '/feeds/misp/:event', access: 'signed-in' },
  // TAXII 2.1 (interop/taxii): :root is the API root, :collection the indicators collection (rights per collection: interop/taxii.test.ts).
  { method: 'GET', url: '/taxii2', access: 'signed-in' },
  { method: 'GET', url: '/taxii2/', access: 'signed-in' },
  { method: 'GET', url: '/taxii2/:root/', access: 'signed-in' },
  { method: 'GET', url: '/taxii2/:root/collections/', access: 'signed-in' },
  { method: 'GET', url: '/taxii2/:root/collections/:collection/', access: 'member-or-indicators:read' },
  { method: 'GET', url: '/taxii2/:root/collections/:collection/objects/', access: 'member-or-indicators:read' },
  { method: 'POST', url: '/taxii2/:root/collections/:collection/objects/', access: 'indicators:manage', payload: { objects: [] } },
  { method: 'GET', url: '/taxii2/:root/collections/:collection/manifest/', access: 'member-or-indicators:read' },
  { method: 'GET', url: '/taxii2/:root/collections/:collection/objects/:object/', access: 'member-or-indicators:read' },
  { method: 'GET', url: '/taxii2/:root/collections/:collection/objects/:object/versions/', access: 'member-or-indicators:read' },
  { method: 'DELETE', url: '/taxii2/:root/collections/:collection/objects/:object/', access: 'member-or-indicators:read' },
  { method: 'GET', url: '/taxii2/:root/status/:status/', access: 'signed-in' },
];

/** Routes the table leaves to other tests, with the reason. */
const ELSEWHERE: Record<string, string> = {
  'POST /login': 'CSRF before any session: auth.test.ts',
  'POST /report': 'CSRF before any session, rate limit, honeypot: hotline/reports.test.ts',
  'POST /logout': 'ends the very sessions this table uses: auth.test.ts',
  'GET /api/v1/stream': 'an open stream never ends for allowed callers; hub/stream.test.ts checks who gets what and the 401',
  'POST /portal/:token/feedback': 'CSRF before any session, with a real token: hotline/notifications.test.ts',
  'GET /api/docs/*': 'OpenAPI UI assets: app.test.ts',
};

type CallerName = 'anonymous' | `user:${Exclude<KeyRole, 'metrics'>}` | `key:${KeyRole}`;
const CALLERS: CallerName[] = ['anonymous', 'user:admin', 'user:analyst', 'user:handler', 'user:member', 'key:admin', 'key:analyst', 'key:handler', 'key:member', 'key:metrics'];

function allowed(row: Row, caller: CallerName): boolean {
  if (row.access === 'public') return true;
  if (caller === 'anonymous') return false;
  const [kind, role] = caller.split(':') as ['user' | 'key', KeyRole];
  if (row.web && kind === 'key') return false;
  if (row.access === 'session') return kind === 'user';
  if (row.access === 'signed-in') return true;
  if (row.access === 'own-member') return role === 'member' || can({ kind: 'api_key', apiKeyId: 0, label: '', organisationId: 0, role }, 'members:read');
  if (row.access === 'member-or-indicators:read') return role === 'member' || can({ kind: 'api_key', apiKeyId: 0, label: '', organisationId: 0, role }, 'indicators:read');
  return can({ kind: 'api_key', apiKeyId: 0, label: '', organisationId: 0, role }, row.access);
}

describeEachApp('every route, every role', (t) => {
  const sessions = new Map<string, Browser>();
  const keys = new Map<string, string>();
  // Placeholders in the table: ids made in `before`, and a token and a case id that exist nowhere.
  const ids: Record<string, number | string> = {
    event: '00000000-0000-8000-8000-000000000000.json',
    token: 'x'.repeat(43),
    caseId: 'BKN-2000-00001',
    contactId: 999999,
    userId: 999999,
    root: 'baken',
    collection: 'indicators',
    object: 'indicator--00000000-0000-4000-8000-000000000000',
    status: '00000000-0000-4000-8000-000000000000',
  };

  before(async () => {
    const { app, ctx, adminEmail } = t();
    const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
    const member = await createOrganisation(ctx, SYSTEM, { name: 'Ministerie van Voorbeelden', kind: 'member', sector: 'central-government' });
    sessions.set('user:admin', await signedIn(app, adminEmail, ADMIN_PASSWORD));
    for (const role of ['analyst', 'handler', 'member'] as const) {
      const email = `${role}@roles.example`;
      const { user } = await createUser(ctx, SYSTEM, { email, role, organisationId: role === 'member' ? member.id : coordinator.id, password: 'a password for roles' });
      if (role === 'member') ids.user = user.id;
      sessions.set(`user:${role}`, await signedIn(app, email, 'a password for roles'));
    }
    for (const role of ['admin', 'analyst', 'handler', 'member', 'metrics'] as const) {
      const { apiKey, secret } = await createApiKey(ctx, SYSTEM, { organisationId: role === 'member' ? member.id : coordinator.id, role });
      keys.set(`key:${role}`, secret);
      ids.key = apiKey.id;
    }
    ids.org = member.id;
    ids.keyId = 999999;
  });

  test('each caller reaches exactly the routes its role allows', async () => {
    const { app } = t();
    const failures: string[] = [];
    for (const row of ROWS) {
      const url = row.url.replace(/:(\w+)/g, (_, name: string) => String(ids[name]));
      for (const caller of CALLERS) {
        const headers: Record<string, string> = {};
        let res;
        const session = sessions.get(caller);
        if (session) {
          if (row.web && row.method === 'POST') res = await session.postForm(url, Object.fromEntries(Object.entries(row.payload ?? {}).map(([k, v]) => [k, String(v)])));
          else res = await session.request({ method: row.method as 'GET', url, headers: { 'x-csrf-token': session.csrf }, ...(row.payload && !row.web ? { payload: row.payload } : {}) });
        } else {
          if (keys.has(caller)) headers.authorization = `Bearer ${keys.get(caller)}`;
          if (row.web && row.payload) headers['content-type'] = 'application/x-www-form-urlencoded';
          const payload = row.payload ? (row.web ? new URLSearchParams(row.payload as Record<string, string>).toString() : row.payload) : undefined;
          res = await app.inject({ method: row.method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
        }
        const denied = res.statusCode === 401 || res.statusCode === 403 || (res.statusCode === 303 && String(res.headers.location).startsWith('/login'));
        const expected = allowed(row, caller);
        if (expected === denied) failures.push(`${row.method} ${row.url} as ${caller}: ${res.statusCode} (expected ${expected ? 'allowed' : 'denied'})`);
        if (!expected && caller === 'anonymous' && !row.web && res.statusCode !== 401) failures.push(`${row.method} ${row.url} as anonymous: ${res.statusCode}, not 401`);
        if (!expected && caller !== 'anonymous' && !row.web && kindOf(caller) === 'key' && res.statusCode !== 403 && row.access !== 'session') failures.push(`${row.method} ${row.url} as ${caller}: ${res.statusCode}, not 403`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('the table covers every route the app registers', () => {
    const listed = new Set(ROWS.map((r) => `${r.method} ${r.url.split('?')[0]!.replace(/:(org|user|key)\b/g, ':id').replace(/\/999999/g, '/:id')}`));
    const missing = t()
      .routes.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/api/docs'))
            .map((r) => `${r.method} ${r.url.replace(/:lang\b/, 'nl').replace(/:change\(\^disable\|enable\$\)/, 'disable')}`)
      .filter((key) => !listed.has(key) && !ELSEWHERE[key]);
    assert.deepEqual(missing, []);
  });
});

function kindOf(caller: CallerName): 'user' | 'key' | 'anonymous' {
  return caller === 'anonymous' ? 'anonymous' : (caller.split(':')[0] as 'user' | 'key');
}
