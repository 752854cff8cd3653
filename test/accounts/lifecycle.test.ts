import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeyState, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from '../../src/accounts/api-keys.js';
import { bootstrap } from '../../src/accounts/bootstrap.js';
import { createOrganisation, findOrganisation, listOrganisations, updateOrganisation } from '../../src/accounts/organisations.js';
import { login, logout, purgeExpiredSessions, resolveSession } from '../../src/accounts/sessions.js';
import { createUser, findUser, listUsers, setPassword, updateUser } from '../../src/accounts/users.js';
import { listAudit } from '../../src/platform/audit.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import { describeEachDatabase } from '../helpers/databases.js';

const meta = { ip: '192.0.2.10', userAgent: 'test', requestId: 'r1' };
const code = (c: string) => (err: unknown) => err instanceof BakenError && err.code === c;

describeEachDatabase(
  'organisations, users and keys',
  (db) => {
    test('first start creates the coordinator and an admin, once', async () => {
      const { ctx, clock } = db();
      const first = await bootstrap(ctx);
      assert.ok(first);
      assert.equal(first.email, ctx.config.adminEmail);
      assert.ok(first.generatedPassword && first.generatedPassword.length >= 20);
      assert.equal(await bootstrap(ctx), null);
      const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
      assert.equal(coordinator.kind, 'coordinator');
      const admin = await findUser(ctx, first.email);
      assert.equal(admin.role, 'admin');
      assert.equal(admin.organisationId, coordinator.id);
      const s = await login(ctx, first.email, first.generatedPassword, meta);
      assert.equal(s.session.user.email, first.email);
    });

    test('organisations: create, find by id or name, update, refuse duplicates and bad sectors', async () => {
      const { ctx, clock } = db();
      const water = await createOrganisation(ctx, SYSTEM, { name: 'Waterbedrijf Oost', kind: 'member', sector: 'drinking-water' });
      assert.equal(water.sector, 'drinking-water');
      assert.equal((await findOrganisation(ctx, String(water.id))).name, 'Waterbedrijf Oost');
      assert.equal((await findOrganisation(ctx, 'waterbedrijf oost')).id, water.id);
      await assert.rejects(createOrganisation(ctx, SYSTEM, { name: 'WATERBEDRIJF OOST', kind: 'member', sector: 'energy' }), code('BAKEN_E_ORG_EXISTS'));
      await assert.rejects(createOrganisation(ctx, SYSTEM, { name: 'X', kind: 'member' }), /sector: is required/);
      await assert.rejects(createOrganisation(ctx, SYSTEM, { name: 'X', kind: 'member', sector: 'farming' }), /not a known sector/);
      await assert.rejects(createOrganisation(ctx, SYSTEM, { name: 'ISP', kind: 'operator', sector: 'energy' }), /member organisations only/);
      await assert.rejects(createOrganisation(ctx, SYSTEM, { name: 'Second', kind: 'coordinator' }), /one coordinator/);
      const isp = await createOrganisation(ctx, SYSTEM, { name: 'Example ISP', kind: 'operator', language: 'nl' });
      assert.equal(isp.sector, null);
      const renamed = await updateOrganisation(ctx, SYSTEM, water.id, { name: 'Waterbedrijf Oost B.V.', sector: 'waste-water' });
      assert.equal(renamed.sector, 'waste-water');
      await assert.rejects(findOrganisation(ctx, 'nobody'), code('BAKEN_E_ORG_NOT_FOUND'));
      const members = await listOrganisations(ctx, { kind: 'member' });
      assert.deepEqual(members.map((o) => o.name), ['Waterbedrijf Oost B.V.']);
      assert.equal((await listOrganisations(ctx, { q: 'isp' })).length, 1);
    });

    test('users: roles must fit their organisation; emails are unique and normalised', async () => {
      const { ctx, clock } = db();
      const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
      const water = await findOrganisation(ctx, 'Waterbedrijf Oost B.V.');
      const { user, generatedPassword } = await createUser(ctx, SYSTEM, { email: ' Jan@Water.example ', role: 'member', organisationId: water.id, password: 'a long enough password' });
      assert.equal(user.email, 'jan@water.example');
      assert.equal(generatedPassword, null);
      await assert.rejects(createUser(ctx, SYSTEM, { email: 'jan@water.example', role: 'member', organisationId: water.id }), code('BAKEN_E_USER_EXISTS'));
      await assert.rejects(createUser(ctx, SYSTEM, { email: 'a@water.example', role: 'analyst', organisationId: water.id }), /coordinator role/);
      await assert.rejects(createUser(ctx, SYSTEM, { email: 'b@cert.example', role: 'member', organisationId: coordinator.id }), /member organisation/);
      await assert.rejects(createUser(ctx, SYSTEM, { email: 'not-an-email', role: 'analyst', organisationId: coordinator.id }), /not an email address/);
      await assert.rejects(createUser(ctx, SYSTEM, { email: 'c@cert.example', role: 'analyst', organisationId: coordinator.id, password: 'short' }), /12 characters/);
      const analyst = await createUser(ctx, SYSTEM, { email: 'ana@cert.example', role: 'analyst', organisationId: coordinator.id });
      assert.ok(analyst.generatedPassword);
      const promoted = await updateUser(ctx, SYSTEM, analyst.user.id, { role: 'handler' });
      assert.equal(promoted.role, 'handler');
      const audit = await listAudit(ctx.db, { action: 'user.role_change' });
      assert.equal(audit[0]?.targetId, String(analyst.user.id));
      assert.deepEqual(audit[0]?.details, { email: 'ana@cert.example', from: 'analyst', to: 'handler' });
      assert.equal((await listUsers(ctx, { organisationId: water.id })).length, 1);
    });

    test('the last active admin cannot be demoted or disabled', async () => {
      const { ctx, clock } = db();
      const admin = await findUser(ctx, ctx.config.adminEmail);
      await assert.rejects(updateUser(ctx, SYSTEM, admin.id, { role: 'analyst' }), code('BAKEN_E_LAST_ADMIN'));
      await assert.rejects(updateUser(ctx, SYSTEM, admin.id, { disabled: true }), code('BAKEN_E_LAST_ADMIN'));
    });

    test('passwords: wrong password fails and is audited; a new password ends sessions; disabled users cannot log in', async () => {
      const { ctx, clock } = db();
      const jan = await findUser(ctx, 'jan@water.example');
      await assert.rejects(login(ctx, 'jan@water.example', 'wrong password!!', meta), code('BAKEN_E_BAD_CREDENTIALS'));
      await assert.rejects(login(ctx, 'nobody@water.example', 'whatever password', meta), code('BAKEN_E_BAD_CREDENTIALS'));
      const failures = await listAudit(ctx.db, { action: 'auth.login_failed' });
      assert.deepEqual(failures.map((f) => f.details?.reason), ['unknown account', 'wrong password']);
      const { token, session } = await login(ctx, 'JAN@water.example', 'a long enough password', meta);
      assert.equal((await resolveSession(ctx, token))?.user.id, jan.id);
      await setPassword(ctx, SYSTEM, jan.id, 'another long password');
      assert.equal(await resolveSession(ctx, token), null, 'a password change ends existing sessions');
      const again = await login(ctx, 'jan@water.example', 'another long password', meta);
      await logout(ctx, again.session, meta);
      assert.equal(await resolveSession(ctx, again.token), null);
      await updateUser(ctx, SYSTEM, jan.id, { disabled: true });
      await assert.rejects(login(ctx, 'jan@water.example', 'another long password', meta), code('BAKEN_E_BAD_CREDENTIALS'));
      await updateUser(ctx, SYSTEM, jan.id, { disabled: false });
      assert.ok(session.expiresAt > clock.now().toISOString());
    });

    test('sessions expire after their lifetime without use', async () => {
      const { ctx, clock } = db();
      const { token } = await login(ctx, 'jan@water.example', 'another long password', meta);
      clock.advance(ctx.config.sessionTtlHours * 3600_000 + 1);
      assert.equal(await resolveSession(ctx, token), null);
    });

    test('API keys: shown once, stored hashed, role fits the organisation, expire and revoke', async () => {
      const { ctx, clock } = db();
      const water = await findOrganisation(ctx, 'Waterbedrijf Oost B.V.');
      const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
      const { apiKey, secret } = await createApiKey(ctx, SYSTEM, { organisationId: water.id, role: 'member', label: 'SIEM', expires: '2026-12-31' });
      assert.match(secret, /^bkn_[A-Za-z0-9_-]{32}$/);
      assert.equal(apiKey.expiresAt, '2026-12-31T23:59:59.999Z');
      const stored = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.key_hash, secret);
      assert.ok(!JSON.stringify(stored).includes(secret.slice(10)), 'the key itself is not stored');
      const actor = await authenticateApiKey(ctx, secret);
      assert.equal(actor.organisationId, water.id);
      assert.equal(actor.role, 'member');
      await assert.rejects(createApiKey(ctx, SYSTEM, { organisationId: water.id, role: 'admin' }), /cannot belong/);
      await assert.rejects(createApiKey(ctx, SYSTEM, { organisationId: water.id, role: 'member', expires: '2020-01-01' }), /in the past/);
      await assert.rejects(createApiKey(ctx, SYSTEM, { organisationId: water.id, role: 'member', expires: 'soon' }), /not a date/);
      await assert.rejects(authenticateApiKey(ctx, secret + 'x'), code('BAKEN_E_KEY_INVALID'));

      const metrics = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'metrics' });
      await revokeApiKey(ctx, SYSTEM, metrics.apiKey.id);
      await assert.rejects(authenticateApiKey(ctx, metrics.secret), code('BAKEN_E_KEY_INVALID'));
      await assert.rejects(revokeApiKey(ctx, SYSTEM, metrics.apiKey.id), code('BAKEN_E_KEY_REVOKED'));

      clock.advance(365 * 24 * 3600_000);
      await assert.rejects(authenticateApiKey(ctx, secret), code('BAKEN_E_KEY_INVALID'));
      const keys = await listApiKeys(ctx, { organisationId: water.id });
      assert.equal(apiKeyState(keys[0]!, clock.now()), 'expired');
      const actions = (await listAudit(ctx.db, { action: 'apikey.' })).map((a) => a.action).sort();
      assert.deepEqual(actions, ['apikey.create', 'apikey.create', 'apikey.revoke']);
    });
  },
  { start: '2026-03-01T10:00:00.000Z' },
);

describeEachDatabase('session housekeeping', (db) => {
  test('expired sessions are purged, live ones kept', async () => {
    const { ctx, clock } = db();
    const first = await bootstrap(ctx);
    const old = await login(ctx, first!.email, first!.generatedPassword!, meta);
    clock.advance(ctx.config.sessionTtlHours * 3600_000 - 1000);
    const fresh = await login(ctx, first!.email, first!.generatedPassword!, meta);
    clock.advance(2000);
    assert.equal(await purgeExpiredSessions(ctx), 1);
    assert.equal(await resolveSession(ctx, old.token), null);
    assert.ok(await resolveSession(ctx, fresh.token));
  });
});
