import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Organisation } from '../../src/accounts/organisations.js';
import type { Alert } from '../../src/hub/alerts/alerts.js';
import type { Analysis } from '../../src/hub/analyses/analyses.js';
import type { IndicatorType } from '../../src/hub/indicators/indicator-types.js';
import type { Indicator } from '../../src/hub/indicators/indicators.js';
import { normalizeIndicator } from '../../src/hub/indicators/normalize-indicator.js';
import type { Sighting } from '../../src/hub/sightings/sightings.js';
import { TLP_LEVELS, type Tlp } from '../../src/hub/tlp.js';
import { stixId, TLP_MARKINGS, tlpOfMarkingId, uuidV5 } from '../../src/interop/stix/stix-ids.js';
import { formatObjectPath, parseStixPattern, StixPatternError } from '../../src/interop/stix/stix-pattern.js';
import {
  alertToStix,
  analysisToStix,
  bundle,
  hubIdentityToStix,
  indicatorStixId,
  indicatorToStix,
  organisationToStix,
  sectorIdentityToStix,
  sightingToStix,
  stixString,
  type StixOptions,
} from '../../src/interop/stix/to-stix.js';
import { validateStixBundle, validateStixObject } from '../../src/interop/stix/validate-stix.js';

const scope = 'https://hub.example';
const coordinator: Organisation = { id: 1, name: 'Coordinating CERT', kind: 'coordinator', sector: null, language: 'en', notes: null, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z' };
const hub = hubIdentityToStix(coordinator, { scope });
const options: StixOptions = { createdByRef: hub.id, scope };

function indicator(type: IndicatorType, value: string, extra: Partial<Indicator> = {}): Indicator {
  return {
    id: 7,
    type,
    value,
    tlp: 'AMBER',
    confidence: 80,
    labels: [],
    source: null,
    validFrom: null,
    validUntil: null,
    firstSeen: '2024-03-01T10:00:00.000Z',
    lastSeen: '2024-03-02T10:00:00.000Z',
    asn: null,
    asName: null,
    country: null,
    operatorId: null,
    createdAt: '2024-03-01T10:00:00.000Z',
    updatedAt: '2024-03-02T10:00:00.123Z',
    ...extra,
  };
}

/** The single string the pattern compares with, and the path it compares on. */
function comparedValue(pattern: string): { path: string; value: string } {
  const ast = parseStixPattern(pattern);
  assert.equal(ast.kind, 'observation');
  if (ast.kind !== 'observation') throw new Error('not an observation');
  const c = ast.comparison;
  assert.equal(c.kind, 'test');
  if (c.kind !== 'test' || Array.isArray(c.value) || c.value.kind !== 'string') throw new Error('not a string comparison');
  return { path: formatObjectPath(c.path), value: c.value.value };
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const label = fc.stringMatching(/^[a-z0-9][a-z0-9 _:./+-]{0,20}$/);
// Path characters a URL keeps as they are, quotes and backslashes among them (a backslash becomes a slash in http URLs).
const pathText = fc.string({ unit: fc.constantFrom(...`abcXYZ019'\\-._~!$&()*+,;=:@%20`), maxLength: 30 });

const indicatorValues: fc.Arbitrary<[IndicatorType, string]> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map(([a, b, c, d]): [IndicatorType, string] => ['ipv4', `${a}.${b}.${c}.${d}`]),
  fc.tuple(hex(4), hex(4)).map(([a, b]): [IndicatorType, string] => ['ipv6', `2a02:${a}::${b}`]),
  fc.integer({ min: 16, max: 30 }).map((n): [IndicatorType, string] => ['cidr', `31.149.0.0/${n}`]),
  fc.constant<[IndicatorType, string]>(['cidr', '2a02:a440::/29']),
  fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?\.(example|nl|com)$/).map((d): [IndicatorType, string] => ['domain', d]),
  pathText.map((p): [IndicatorType, string] => ['url', `https://evil.example/${p}?q='x'&r=\\`]),
  hex(32).map((h): [IndicatorType, string] => ['md5', h]),
  hex(40).map((h): [IndicatorType, string] => ['sha1', h]),
  hex(64).map((h): [IndicatorType, string] => ['sha256', h]),
  fc.stringMatching(/^[a-z0-9._'+-]{1,12}@evil\.example$/).map((e): [IndicatorType, string] => ['email', e]),
).filter(([type, value]) => {
  // Special-purpose addresses and odd local parts are refused by the hub; those are not indicators to export.
  try {
    normalizeIndicator(value, { type });
    return true;
  } catch {
    return false;
  }
});

describe('STIX ids and markings', () => {
  test('UUIDv5 matches RFC 4122 (the DNS namespace example) and ids are stable', () => {
    assert.equal(uuidV5('example.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), 'aad03681-8b63-5304-89e0-8ca8f49461b5');
    assert.equal(stixId('indicator', 'ipv4:198.51.100.7'), stixId('indicator', 'ipv4:198.51.100.7'));
    assert.notEqual(stixId('indicator', 'ipv4:198.51.100.7'), stixId('indicator', 'ipv4:198.51.100.8'));
    assert.match(stixId('indicator', 'x'), /^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('the TLP 2.0 markings use the standard ids and are valid', () => {
    assert.equal(TLP_MARKINGS.CLEAR.id, 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487');
    assert.equal(TLP_MARKINGS.GREEN.id, 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb');
    assert.equal(TLP_MARKINGS.AMBER.id, 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421');
    assert.equal(TLP_MARKINGS['AMBER+STRICT'].id, 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003');
    assert.equal(TLP_MARKINGS.RED.id, 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1');
    for (const tlp of TLP_LEVELS) {
      assert.deepEqual(validateStixObject(TLP_MARKINGS[tlp].object), [], tlp);
      assert.equal(tlpOfMarkingId(TLP_MARKINGS[tlp].id), tlp);
    }
    assert.equal(tlpOfMarkingId('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'), 'CLEAR');
  });
});

describe('every object Baken emits is valid STIX 2.1', () => {
  test('indicators of every type, any value, any TLP: valid, and the pattern gives the value back', () => {
    fc.assert(
      fc.property(indicatorValues, fc.constantFrom(...TLP_LEVELS), fc.array(label, { maxLength: 3 }), fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }), (tv, tlp: Tlp, labels, source) => {
        const [type, raw] = tv;
        const n = normalizeIndicator(raw, { type });
        const s = indicatorToStix(indicator(n.type, n.value, { tlp, labels: [...new Set(labels)], source }), options);
        assert.deepEqual(validateStixObject(s), [], `${s.pattern}`);
        assert.equal(comparedValue(s.pattern).value, n.value);
        assert.equal(s.id, indicatorStixId(n.type, n.value));
        assert.deepEqual(s.object_marking_refs, [TLP_MARKINGS[tlp].id]);
      }),
      { numRuns: 500 },
    );
  });

  test('any string survives quoting in a pattern', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        assert.equal(comparedValue(`[url:value = ${stixString(s)}]`).value, s);
      }),
      { numRuns: 1000 },
    );
  });

  test('the patterns of each type are the ones STIX tools expect', () => {
    const p = (t: IndicatorType, v: string) => indicatorToStix(indicator(t, v), options).pattern;
    assert.equal(p('ipv4', '198.51.100.7'), "[ipv4-addr:value = '198.51.100.7']");
    assert.equal(p('ipv6', '2001:db8::1'), "[ipv6-addr:value = '2001:db8::1']");
    assert.equal(p('cidr', '198.51.100.0/24'), "[ipv4-addr:value = '198.51.100.0/24']");
    assert.equal(p('cidr', '2001:db8::/32'), "[ipv6-addr:value = '2001:db8::/32']");
    assert.equal(p('domain', 'evil.example'), "[domain-name:value = 'evil.example']");
    assert.equal(p('url', "http://evil.example/a'b\\c"), "[url:value = 'http://evil.example/a\\'b\\\\c']");
    assert.equal(p('md5', 'd41d8cd98f00b204e9800998ecf8427e'), "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']");
    assert.equal(p('sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'), "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
    assert.match(p('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), /^\[file:hashes\.'SHA-256' = 'e3b0/);
    assert.equal(p('email', 'boss@evil.example'), "[email-addr:value = 'boss@evil.example']");
  });

  test('validity: valid_from defaults to first seen; an instant becomes a millisecond; created and modified move', () => {
    const i = indicatorToStix(indicator('domain', 'evil.example', { validFrom: '2024-05-01T00:00:00.000Z', validUntil: '2024-05-01T00:00:00.000Z' }), options);
    assert.equal(i.valid_until, '2024-05-01T00:00:00.001Z');
    assert.deepEqual(validateStixObject(i), []);
    const j = indicatorToStix(indicator('domain', 'evil.example'), options);
    assert.equal(j.valid_from, '2024-03-01T10:00:00.000Z');
    assert.equal(j.created, '2024-03-01T10:00:00.000Z');
    assert.equal(j.modified, '2024-03-02T10:00:00.123Z');
    const k = indicatorToStix(indicator('domain', 'evil.example', { updatedAt: '2024-04-01T00:00:00.000Z', confidence: 10 }), options);
    assert.equal(k.id, j.id);
    assert.ok(k.modified > j.modified);
  });

  const alert: Alert = {
    id: 3,
    state: 'published',
    version: 2,
    title: 'Campaign X',
    severity: 'high',
    summary: 'Phishing with a "gate".',
    summaryHtml: '',
    analysisId: 4,
    tlp: 'AMBER',
    audience: { kind: 'all', sectors: [], organisationIds: [] },
    namedUserIds: [],
    resolvedOrganisationIds: [2],
    indicators: [indicator('domain', 'evil.example'), indicator('ipv4', '198.51.100.7')],
    createdBy: 'analyst',
    createdAt: '2024-03-01T10:00:00.000Z',
    updatedAt: '2024-03-01T12:00:00.000Z',
    publishedBy: 'analyst',
    publishedAt: '2024-03-01T11:00:00.000Z',
    retractedBy: null,
    retractedAt: null,
    retractReason: null,
  };
  const analysis: Analysis = {
    analysisId: 4,
    version: 1,
    status: 'published',
    title: 'Campaign X, the analysis',
    body: '## What',
    bodyHtml: '',
    tlp: 'GREEN',
    severity: 'medium',
    createdBy: null,
    createdAt: '2024-02-01T00:00:00.000Z',
    updatedAt: '2024-02-02T00:00:00.000Z',
    publishedBy: null,
    publishedAt: '2024-02-02T00:00:00.000Z',
    latestVersion: 1,
    publishedVersion: 1,
    indicators: [],
  };

  test('alerts and analyses are reports of their indicators; a retracted alert is revoked', () => {
    const r = alertToStix(alert, options);
    assert.deepEqual(validateStixObject(r), []);
    assert.equal(r.object_refs.length, 3);
    assert.ok(r.object_refs.includes(indicatorStixId('domain', 'evil.example')));
    assert.equal(r.published, '2024-03-01T11:00:00.000Z');
    const revoked = alertToStix({ ...alert, state: 'retracted', retractedAt: '2024-03-05T00:00:00.000Z', indicators: [], analysisId: null }, options);
    assert.equal(revoked.revoked, true);
    assert.deepEqual(revoked.object_refs, [hub.id], 'a report about nothing refers to its author');
    assert.deepEqual(validateStixObject(revoked), []);
    const a = analysisToStix(analysis, options);
    assert.deepEqual(validateStixObject(a), []);
    assert.equal(a.id, r.object_refs[0]);
  });

  test('organisations are identities with a sector; sightings point at indicators and where they were seen', () => {
    const member: Organisation = { ...coordinator, id: 2, name: 'Waterbedrijf Oost', kind: 'member', sector: 'drinking-water' };
    const id = organisationToStix(member, options);
    assert.deepEqual(validateStixObject(id), []);
    assert.deepEqual(id.sectors, ['infrastructure-water']);
    assert.equal(id.x_baken_sector, 'drinking-water');
    assert.deepEqual(validateStixObject(hub), []);
    assert.equal(hub.created_by_ref, undefined);
    const sector = sectorIdentityToStix('drinking-water', options);
    assert.deepEqual(validateStixObject(sector), []);
    const sighting: Sighting = {
      id: 9,
      organisationId: 2,
      organisationName: 'Waterbedrijf Oost',
      indicator: { id: 7, type: 'domain', value: 'evil.example' },
      observation: null,
      alertId: 3,
      count: 2_000_000_000,
      firstSeen: '2024-03-01T10:00:00.000Z',
      lastSeen: '2024-03-01T11:00:00.000Z',
      note: 'internal',
      shareName: false,
      reportedBy: 'member',
      reportedAt: '2024-03-01T12:00:00.000Z',
    };
    const s = sightingToStix(sighting, { ...options, whereSighted: sector, tlp: 'AMBER' })!;
    assert.deepEqual(validateStixObject(s), []);
    assert.equal(s.count, 999_999_999);
    assert.equal(s.sighting_of_ref, indicatorStixId('domain', 'evil.example'));
    assert.deepEqual(s.where_sighted_refs, [sector.id]);
    assert.equal(JSON.stringify(s).includes('internal'), false, 'the note stays inside Baken');
    assert.equal(sightingToStix({ ...sighting, indicator: null }, { ...options, whereSighted: null }), null);

    const b = bundle([hub, id, sector, indicatorToStix(indicator('domain', 'evil.example'), options), alertToStix(alert, options), s, s]);
    assert.deepEqual(validateStixBundle(b), []);
    assert.equal(b.objects.filter((o) => o.type === 'marking-definition').length, 1);
    assert.equal(b.objects.filter((o) => o.type === 'sighting').length, 1);
  });
});

describe('invalid objects are rejected with the path of the problem', () => {
  const good = () => indicatorToStix(indicator('domain', 'evil.example', { validUntil: '2025-01-01T00:00:00.000Z', labels: ['c2'] }), options) as unknown as Record<string, unknown>;
  const cases: Array<[string, (o: Record<string, unknown>) => void, string, RegExp]> = [
    ['no type', (o) => delete o.type, 'type', /required/],
    ['wrong spec_version', (o) => (o.spec_version = '2.0'), 'spec_version', /2\.1/],
    ['id of another type', (o) => (o.id = 'report--8e33f113-08c3-5125-803d-a886e9783ba8'), 'id', /indicator--/],
    ['id without a UUID', (o) => (o.id = 'indicator--1234'), 'id', /UUID/],
    ['id with a UUID of no version', (o) => (o.id = 'indicator--8e33f113-08c3-0125-803d-a886e9783ba8'), 'id', /UUID/],
    ['timestamp with an offset', (o) => (o.created = '2024-03-01T10:00:00.000+01:00'), 'created', /Z/],
    ['timestamp of no real day', (o) => (o.valid_from = '2024-02-30T10:00:00Z'), 'valid_from', /RFC 3339/],
    ['created in seconds', (o) => (o.created = '2024-03-01T10:00:00Z'), 'created', /millisecond/],
    ['modified before created', (o) => (o.modified = '2020-01-01T00:00:00.000Z'), 'modified', /before created/],
    ['no pattern', (o) => delete o.pattern, 'pattern', /required/],
    ['a pattern that does not parse', (o) => (o.pattern = "[domain-name:value = 'evil.example'"), 'pattern', /expected "\]"/],
    ['an unquoted hyphenated key', (o) => (o.pattern = "[file:hashes.SHA-256 = 'ab']"), 'pattern', /quote/],
    ['a bad escape', (o) => (o.pattern = "[url:value = 'a\\nb']"), 'pattern', /escape/],
    ['two types joined by AND', (o) => (o.pattern = "[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x.example']"), 'pattern', /one object type/],
    ['valid_until not after valid_from', (o) => (o.valid_until = o.valid_from), 'valid_until', /later than valid_from/],
    ['no valid_from', (o) => delete o.valid_from, 'valid_from', /required/],
    ['confidence out of range', (o) => (o.confidence = 101), 'confidence', /0 to 100/],
    ['an empty list', (o) => (o.labels = []), 'labels', /empty list/],
    ['a marking ref of another type', (o) => (o.object_marking_refs = [hub.id]), 'object_marking_refs[0]', /marking definition/],
    ['created_by_ref not an identity', (o) => (o.created_by_ref = TLP_MARKINGS.RED.id), 'created_by_ref', /identity/],
    ['an external reference with only a name', (o) => (o.external_references = [{ source_name: 'x' }]), 'external_references[0]', /description, url or external_id/],
    ['a custom property with capitals', (o) => (o.X_Thing = 1), 'X_Thing', /custom property/],
  ];
  for (const [name, change, path, message] of cases) {
    test(name, () => {
      const o = good();
      assert.deepEqual(validateStixObject(o), []);
      change(o);
      const problems = validateStixObject(o);
      const p = problems.find((x) => x.path === path);
      assert.ok(p, `expected a problem at ${path}, got ${JSON.stringify(problems)}`);
      assert.match(p.message, message);
    });
  }

  test('sightings: count range, last_seen, refs', () => {
    const s = { type: 'sighting', spec_version: '2.1', id: stixId('sighting', 'x'), created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', sighting_of_ref: indicatorStixId('domain', 'evil.example'), count: 0 };
    assert.deepEqual(validateStixObject(s), []);
    assert.deepEqual(validateStixObject({ ...s, count: 1_000_000_000 }).map((p) => p.path), ['count']);
    assert.deepEqual(validateStixObject({ ...s, count: 1.5 }).map((p) => p.path), ['count']);
    assert.deepEqual(validateStixObject({ ...s, first_seen: '2024-01-02T00:00:00Z', last_seen: '2024-01-01T00:00:00Z' }).map((p) => p.path), ['last_seen']);
    assert.deepEqual(validateStixObject({ ...s, sighting_of_ref: 'ipv4-addr--8e33f113-08c3-5125-803d-a886e9783ba8' }).map((p) => p.path), ['sighting_of_ref']);
    assert.deepEqual(validateStixObject({ ...s, where_sighted_refs: [indicatorStixId('domain', 'x')] }).map((p) => p.path), ['where_sighted_refs[0]']);
    assert.deepEqual(validateStixObject({ ...s, sighting_of_ref: undefined }).map((p) => p.path), ['sighting_of_ref']);
  });

  test('reports, identities and markings need their own properties', () => {
    const r = alertToStix({ id: 1, state: 'published', title: 'x', summary: '', severity: 'low', analysisId: null, tlp: 'GREEN', indicators: [], createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', publishedAt: null, retractedAt: null } as unknown as Alert, options) as unknown as Record<string, unknown>;
    assert.deepEqual(validateStixObject({ ...r, object_refs: [] }).map((p) => p.path), ['object_refs']);
    assert.deepEqual(validateStixObject({ ...r, published: undefined }).map((p) => p.path), ['published']);
    assert.deepEqual(validateStixObject({ ...hub, name: undefined }).map((p) => p.path), ['name']);
    const m = TLP_MARKINGS.AMBER.object;
    assert.deepEqual(validateStixObject({ ...m, extensions: { [Object.keys(m.extensions!)[0]!]: { extension_type: 'property-extension', tlp_2_0: 'red' } } }).map((p) => p.path), ['id']);
    assert.deepEqual(validateStixObject({ ...m, extensions: undefined }).map((p) => p.path), ['']);
    assert.deepEqual(validateStixObject({ type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', definition: { tlp: 'amber' } }), []);
  });

  test('bundles: paths into objects, repeated versions', () => {
    const i = indicatorToStix(indicator('domain', 'evil.example'), options);
    const b = { type: 'bundle', id: 'bundle--0b5f5cb4-0f2a-4b44-9a9c-7f1f0cd7e1aa', objects: [i, { ...i, valid_until: i.valid_from }, i] };
    const problems = validateStixBundle(b);
    assert.deepEqual(problems.map((p) => p.path), ['objects[1].valid_until', 'objects[1].id', 'objects[2].id']);
    assert.deepEqual(validateStixBundle({ type: 'bundle', id: 'x', objects: [] }).map((p) => p.path), ['id', 'objects']);
  });
});

describe('the pattern grammar', () => {
  const valid = [
    "[ipv4-addr:value = '198.51.100.7']",
    "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '198.51.100.8']",
    "[file:hashes.'SHA-256' = 'ab' AND file:size > 10] AND [url:value LIKE 'http://%']",
    "([domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']) FOLLOWEDBY [url:value MATCHES '^http'] WITHIN 300 SECONDS",
    "[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24'] REPEATS 5 TIMES",
    "[file:name NOT IN ('a.exe', 'b.exe')] START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
    "[email-message:to_refs[*].value = 'a@b.example']",
    "[x-custom-thing:extensions.'x-ext'.flag = true]",
    "[artifact:payload_bin = b'aGVsbG8=']",
    "[file:hashes.MD5 = 'x' AND (file:size >= -1 OR EXISTS file:name)]",
  ];
  for (const p of valid) test(`parses ${p}`, () => assert.doesNotThrow(() => parseStixPattern(p)));
  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ["ipv4-addr:value = '1.2.3.4'", /"\["/],
    ["[ipv4-addr:value = '1.2.3.4'] and [url:value = 'x']", /AND, OR/],
    ["[ipv4-addr:value == '1.2.3.4']", /literal/],
    ["[ipv4-addr:value = '1.2.3.4]", /not closed/],
    ["[ipv4-addr = '1.2.3.4']", /":"/],
    ["[Ipv4-Addr:value = '1']", /object type name/],
    ["[file:size > true]", /boolean/],
    ["[url:value MATCHES '(']", /regular expression/],
    ["[url:value = 'x'] WITHIN 0 SECONDS", /positive/],
    ["[url:value = 'x'] START t'2024-02-01T00:00:00Z' STOP t'2024-01-01T00:00:00Z'", /later than START/],
    ["[file:payload = b'abc']", /base64/],
  ];
  for (const [p, re] of invalid) {
    test(`refuses ${p || '(empty)'}`, () => {
      assert.throws(() => parseStixPattern(p), (err: unknown) => err instanceof StixPatternError && re.test(err.message));
    });
  }
});
