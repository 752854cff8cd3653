import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config.js';

const cwd = mkdtempSync(join(tmpdir(), 'baken-config-'));

function fails(env: Record<string, string>, setting: string, pattern: RegExp): void {
  assert.throws(
    () => loadConfig({ env, cwd }),
    (err: unknown) => err instanceof ConfigError && err.setting === setting && pattern.test(err.message),
  );
}

describe('configuration', () => {
  test('defaults: SQLite under ./data, 127.0.0.1:8080', () => {
    const c = loadConfig({ env: {}, cwd });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, join(cwd, 'data'));
    assert.equal(c.databaseUrl, `sqlite:${join(cwd, 'data', 'baken.sqlite')}`);
    assert.equal(c.publicUrl, 'http://127.0.0.1:8080');
    assert.equal(c.smtpUrl, null);
    assert.equal(c.language, 'en');
  });

  test('environment variables are read and typed', () => {
    const c = loadConfig({
      env: { BAKEN_PORT: '9090', BAKEN_HOST: '0.0.0.0', BAKEN_TRUST_PROXY: 'yes', BAKEN_DATABASE_URL: 'postgres://u@db:5432/baken' },
      cwd,
    });
    assert.equal(c.port, 9090);
    assert.equal(c.trustProxy, true);
    assert.equal(c.databaseUrl, 'postgres://u@db:5432/baken');
    assert.equal(c.publicUrl, 'http://127.0.0.1:9090', 'a wildcard host is not a public address');
  });

  test('every setting has a BAKEN_ variable and a description', () => {
    for (const s of SETTINGS) {
      assert.match(s.env, /^BAKEN_[A-Z_]+$/);
      assert.ok(s.doc.length > 10, s.env);
    }
    for (const name of ['BAKEN_HOST', 'BAKEN_PORT', 'BAKEN_DATA_DIR', 'BAKEN_DATABASE_URL', 'BAKEN_PUBLIC_URL', 'BAKEN_SMTP_URL', 'BAKEN_MAIL_FROM', 'BAKEN_SECRET']) {
      assert.ok(SETTINGS.some((s) => s.env === name), name);
    }
  });

  test('invalid values name the setting and the problem', () => {
    fails({ BAKEN_PORT: 'eighty' }, 'BAKEN_PORT', /whole number from 0 to 65535, got "eighty"/);
    fails({ BAKEN_PORT: '70000' }, 'BAKEN_PORT', /65535/);
    fails({ BAKEN_DATABASE_URL: 'mysql://x' }, 'BAKEN_DATABASE_URL', /sqlite:PATH or postgres:/);
    fails({ BAKEN_PUBLIC_URL: 'ftp://x' }, 'BAKEN_PUBLIC_URL', /http or https/);
    fails({ BAKEN_SECRET: 'short' }, 'BAKEN_SECRET', /at least 32 characters/);
    fails({ BAKEN_MAIL_FROM: 'nobody' }, 'BAKEN_MAIL_FROM', /email address/);
    fails({ BAKEN_LANGUAGE: 'de' }, 'BAKEN_LANGUAGE', /one of en, nl/);
    fails({ BAKEN_TRUST_PROXY: 'maybe' }, 'BAKEN_TRUST_PROXY', /true or false/);
    fails({ BAKEN_ADMIN_PASSWORD: 'abc' }, 'BAKEN_ADMIN_PASSWORD', /12 characters/);
  });

  test('a config file is read; environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baken-config-file-'));
    writeFileSync(join(dir, 'baken.config.json'), JSON.stringify({ port: 8181, mailFrom: 'cert@example.nl' }));
    const c = loadConfig({ env: {}, cwd: dir });
    assert.equal(c.port, 8181);
    assert.equal(c.mailFrom, 'cert@example.nl');
    assert.equal(loadConfig({ env: { BAKEN_PORT: '8282' }, cwd: dir }).port, 8282);
  });

  test('a config file with an unknown key, bad JSON or a bad value is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baken-config-bad-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ env: { BAKEN_CONFIG: file }, cwd: dir }), /prot .* is not a known setting/);
    writeFileSync(file, '{ "port": ');
    assert.throws(() => loadConfig({ env: { BAKEN_CONFIG: file }, cwd: dir }), /not valid JSON/);
    writeFileSync(file, JSON.stringify({ port: 'x' }));
    assert.throws(() => loadConfig({ env: { BAKEN_CONFIG: file }, cwd: dir }), /BAKEN_PORT \("port" in .*c\.json\) must be a whole number/);
    assert.throws(() => loadConfig({ env: { BAKEN_CONFIG: join(dir, 'missing.json') }, cwd: dir }), /does not exist/);
  });
});
