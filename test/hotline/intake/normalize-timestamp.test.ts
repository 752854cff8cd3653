import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeTimestamp, timestampProblem } from '../../../src/hotline/intake/normalize-timestamp.js';

test('timestamps become ISO 8601 UTC', () => {
  const cases: [string, string][] = [
    ['2026-11-20 10:11:12', '2026-11-20T10:11:12Z'],
    ['2026-11-20T10:11:12Z', '2026-11-20T10:11:12Z'],
    ['2026-11-20T10:11:12', '2026-11-20T10:11:12Z'],
    ['2026-11-20T11:11:12+01:00', '2026-11-20T10:11:12Z'],
    ['2026-11-20T05:11:12-0500', '2026-11-20T10:11:12Z'],
    ['2026-11-20 10:11:12 UTC', '2026-11-20T10:11:12Z'],
    ['2026-11-20T10:11:12.345678Z', '2026-11-20T10:11:12.345Z'],
    ['2026-11-20 10:11', '2026-11-20T10:11:00Z'],
    ['2026-11-20', '2026-11-20T00:00:00Z'],
    ['1795169472', '2026-11-20T10:11:12Z'],
    ['1795169472.5', '2026-11-20T10:11:12.500Z'],
    ['1795169472000', '2026-11-20T10:11:12Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00Z'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeTimestamp(input), expected, input);
});

test('what is not a timestamp is refused with a reason', () => {
  for (const bad of ['yesterday', '20/11/2026', '2026-13-01', '2026-02-30 10:00:00', '2025-02-29', '2026-11-20 24:00:00', '2026-11-20 10:61:00', '2026-11-20T10:11:12+25:00', '']) {
    assert.equal(normalizeTimestamp(bad), null, bad);
  }
  assert.equal(timestampProblem('2026-13-01'), '"2026-13-01" is not a valid timestamp: there is no month 13');
  assert.equal(timestampProblem('2026-02-30 10:00:00'), '"2026-02-30 10:00:00" is not a valid timestamp: 2026-02-30 is not a date');
  assert.equal(timestampProblem('2026-11-20 24:00:00'), '"2026-11-20 24:00:00" is not a valid timestamp: 24:00:00 is not a time of day');
  assert.match(timestampProblem('yesterday'), /^"yesterday" is not a valid timestamp: expected ISO 8601/);
  // The last-value cache does not leak between a good and a bad value.
  assert.equal(normalizeTimestamp('2026-11-20 10:11:12'), '2026-11-20T10:11:12Z');
  assert.equal(normalizeTimestamp('2026-11-20 10:11:12x'), null);
  assert.equal(normalizeTimestamp('2026-11-20 10:11:12'), '2026-11-20T10:11:12Z');
});
