import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateToLatest, migrationStatus, LATEST_MIGRATION } from '../../src/platform/db/migrate.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { sql } from 'kysely';

describeEachDatabase('migrations', (db) => {
  test('are applied up to the latest version, and again is a no-op', async () => {
    const { ctx } = db();
    const status = await migrationStatus(ctx.db);
    assert.ok(status.length >= 1);
    assert.ok(status.every((m) => m.appliedAt !== null));
    assert.equal(status.at(-1)!.name, LATEST_MIGRATION);
    assert.deepEqual(await migrateToLatest(ctx.db), []);
  });

  test('the audit log refuses updates and deletes', async () => {
    const { ctx } = db();
    await ctx.db.kysely
      .insertInto('audit_log')
      .values({ at: '2026-01-01T00:00:00.000Z', actor_type: 'system', action: 'system.bootstrap', actor_user_id: null, actor_api_key_id: null, actor_label: 's', organisation_id: null, target_type: null, target_id: null, details: null, ip: null, user_agent: null, request_id: null })
      .execute();
    await assert.rejects(ctx.db.kysely.updateTable('audit_log').set({ action: 'x' }).execute(), /append-only/);
    await assert.rejects(ctx.db.kysely.deleteFrom('audit_log').execute(), /append-only/);
    const n = await sql<{ n: number }>`select count(*) as n from audit_log`.execute(ctx.db.kysely);
    assert.equal(Number(n.rows[0]!.n), 1);
  });

  test('foreign keys are enforced', async () => {
    const { ctx } = db();
    await assert.rejects(
      ctx.db.kysely
        .insertInto('users')
        .values({ email: 'x@example.nl', name: null, role: 'member', organisation_id: 99999, password_hash: null, disabled: 0, language: null, created_at: 'x', updated_at: 'x', last_login_at: null })
        .execute(),
    );
  });
});
