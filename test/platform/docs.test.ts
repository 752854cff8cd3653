/** The README stays true: every setting is documented, and the Quick start is the two promised lines. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SETTINGS } from '../../src/config.js';
import { ERRORS } from '../../src/platform/errors.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

test('README opens with a Quick start of exactly two command lines', () => {
  const m = /^# Baken\n\n## Quick start\n\n```sh\n([^`]*)```/.exec(README);
  assert.ok(m, 'Quick start block');
  assert.deepEqual(m[1]!.trim().split('\n'), ['npm install && npm start', 'npm test']);
});

test('README documents every setting with its variable and file key', () => {
  for (const s of SETTINGS) {
    assert.match(README, new RegExp(`\\| \`${s.env}\` \\| \`${s.key}\` \\|`), s.env);
  }
});

test('error codes are unique and well formed', () => {
  const names = Object.keys(ERRORS);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(`BAKEN_E_${n}`, /^BAKEN_E_[A-Z_]+$/);
});
