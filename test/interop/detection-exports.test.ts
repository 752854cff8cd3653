/**
 * Detection exports over real HTTP on both databases: every format read back as its consuming tool reads it
 * (test/helpers/detection-readers.ts), who gets what under the TLP policy (member A vs B vs a coordinator key, each
 * level, expired, not yet valid, retracted), authentication (none, Bearer, Basic, ?key= and never in the logs), and
 * conditional requests (ETag / If-None-Match, Last-Modified / If-Modified-Since, the RPZ serial) before and after
 * indicators change.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, test } from 'node:test';
import pino from 'pino';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { buildApp } from '../../src/app.js';
import { createAlert, publishAlert, retractAlert, type AlertInput } from '../../src/hub/alerts/index.js';
import { updateIndicator, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp } from '../helpers/app.js';
import { readCsvRecords, readEdl, readRpzZone, readSuricataDataset, readSuricataRules, readZeekIntel } from '../helpers/detection-readers.js';

const SHA256 = 'a'.repeat(40) + '0123456789abcdef01234567';
const MD5 = '0123456789abcdef0123456789abcdef';
const SHA1 = '0123456789abcdef0123456789abcdef01234567';

describeEachApp('detection exports', (t) => {
  const org: Record<string, number> = {};
  const keys: Record<string, string> = {};
  let base = '';

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const as = (who: string, path: string, headers: Record<string, string> = {}) => get(path, { authorization: `Bearer ${keys[who]}`, ...headers });
  const text = async (who: string, path: string) => {
    const res = await as(who, path);
    assert.equal(res.status, 200, `${path} as ${who}`);
    return res.text();
  };
  const alert = async (over: Partial<AlertInput>) => {
    const draft = await createAlert(t().ctx, SYSTEM, { title: 'Campaign', severity: 'high', summary: 'x', tlp: 'AMBER', audience: { kind: 'all' }, ...over });
    return (await publishAlert(t().ctx, SYSTEM, draft.id)).alert.id;
  };

  before(async () => {
    const { ctx, app } = t();
    for (const name of ['A', 'B']) {
      org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector: 'energy' })).id;
      keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
    }
    const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
    keys.staff = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role: 'analyst' })).secret;
    keys.handler = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role: 'handler' })).secret;
    const personA = (await createUser(ctx, SYSTEM, { email: 'soc@a.example', role: 'member', organisationId: org.A!, password: 'a password for feeds' })).user.id;

    const add = async (value: string, tlp: string, extra: Record<string, unknown> = {}) => (await upsertIndicator(ctx, SYSTEM, { value, tlp, ...extra })).indicator.id;
    // On their own TLP: everyone's feed.
    await add('185.220.100.7', 'GREEN', { confidence: 80, labels: ['c2', 'botnet x'] });
    await add('2a00:1450:4001:80b::200e', 'CLEAR');
    await add('185.220.101.0/24', 'GREEN');
    await add('evil.example', 'GREEN');
    await add('hxxps://Evil[.]example:8443/gate.php?id=1', 'GREEN');
    await add('http://evil.example/drop', 'GREEN');
    await add(SHA256, 'GREEN');
    await add(MD5, 'GREEN');
    await add(SHA1, 'GREEN');
    await add('phish@evil.example', 'GREEN');
    // Validity: expired and not yet valid stay out.
    await add('expired.example', 'GREEN', { validUntil: '2026-02-01T00:00:00Z' });
    await add('later.example', 'GREEN', { validFrom: '2026-06-01T00:00:00Z' });
    await add('ending.example', 'GREEN', { validUntil: '2026-03-01T12:00:00Z' });
    // Through alerts: AMBER to A only; AMBER+STRICT to A only; RED to a person of A; AMBER with no alert.
    const amberA = await add('amber-a.example', 'AMBER');
    const strictA = await add('strict-a.example', 'AMBER+STRICT');
    const red = await add('red.example', 'RED');
    await add('amber-nobody.example', 'AMBER');
    await alert({ tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [amberA] });
    await alert({ tlp: 'AMBER+STRICT', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [strictA] });
    await alert({ tlp: 'RED', audience: { kind: 'organisations', organisationIds: [org.A!] }, namedUserIds: [personA], indicatorIds: [red] });
    // A GREEN indicator sent in an alert that was then retracted is withdrawn; one also in a live alert stays.
    const withdrawn = await add('withdrawn.example', 'GREEN');
    const kept = await add('kept.example', 'GREEN');
    const retracted = await alert({ tlp: 'GREEN', indicatorIds: [withdrawn, kept] });
    await retractAlert(ctx, SYSTEM, retracted, 'false positive');
    await alert({ tlp: 'GREEN', indicatorIds: [kept] });

    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  test('Zeek reads the intel file: #fields header, tab columns, Intel types, URLs without scheme, links to alerts', async () => {
    const items = readZeekIntel(await text('B', '/feeds/zeek/intel.dat'));
    const by = new Map(items.map((i) => [i.indicator, i]));
    assert.equal(by.get('185.220.100.7')?.type, 'Intel::ADDR');
    assert.equal(by.get('2a00:1450:4001:80b::200e')?.type, 'Intel::ADDR');
    assert.equal(by.get('185.220.101.0/24')?.type, 'Intel::SUBNET');
    assert.equal(by.get('evil.example')?.type, 'Intel::DOMAIN');
    assert.equal(by.get('evil.example:8443/gate.php?id=1')?.type, 'Intel::URL');
    assert.equal(by.get('evil.example/drop')?.type, 'Intel::URL');
    for (const h of [SHA256, MD5, SHA1]) assert.equal(by.get(h)?.type, 'Intel::FILE_HASH');
    assert.equal(by.get('phish@evil.example')?.type, 'Intel::EMAIL');
    const ip = by.get('185.220.100.7')!;
    assert.equal(ip.fields['meta.source'], t().ctx.config.coordinatorName);
    assert.equal(ip.fields['meta.desc'], 'TLP:GREEN; confidence 80; labels c2, botnet x');
    assert.equal(ip.fields['meta.url'], null, 'no alert: unset');
    assert.match(by.get('kept.example')!.fields['meta.url']!, new RegExp(`^${t().ctx.config.publicUrl}/alerts/\\d+$`));
  });

  test('Suricata loads the datasets (ip, base64 strings, sha256) and parses the rules, networks as address lists', async () => {
    const ips = readSuricataDataset(await text('B', '/feeds/suricata/baken-ip.lst'), 'ip');
    assert.deepEqual(ips.sort(), ['185.220.100.7', '2a00:1450:4001:80b::200e']);
    const domains = readSuricataDataset(await text('B', '/feeds/suricata/baken-domain.lst'), 'string');
    assert.deepEqual(domains.sort(), ['ending.example', 'evil.example', 'kept.example']);
    assert.deepEqual(readSuricataDataset(await text('B', '/feeds/suricata/baken-sha256.lst'), 'sha256'), [SHA256]);
    const rules = readSuricataRules(await text('B', '/feeds/suricata/baken.rules'));
    const datasets = rules.flatMap((r) => r.options.filter(([k]) => k === 'dataset').map(([, v]) => v!));
    assert.ok(datasets.some((d) => d.includes('baken-domain') && d.includes('type string') && d.includes('load baken-domain.lst')));
    assert.ok(datasets.some((d) => d.includes('baken-ip') && d.includes('type ip') && d.includes('load baken-ip.lst')));
    const buffers = rules.flatMap((r) => r.options.map(([k]) => k));
    for (const b of ['dns.query', 'tls.sni', 'http.host', 'ip.src', 'ip.dst', 'filesha256']) assert.ok(buffers.includes(b), b);
    assert.ok(rules.some((r) => r.options.some(([k, v]) => k === 'filesha256' && v === 'baken-sha256.lst')));
    assert.ok(rules.some((r) => r.destination === '[185.220.101.0/24]' && r.source === '$HOME_NET'));
    assert.ok(rules.some((r) => r.source === '[185.220.101.0/24]' && r.destination === '$HOME_NET'));
  });

  test('the RPZ zone loads: $TTL, SOA with a serial, NS, CNAME . for each domain and its subdomains', async () => {
    const zone = readRpzZone(await text('B', '/feeds/rpz/baken.rpz'));
    assert.equal(zone.ttl, t().ctx.config.feedRpzTtl);
    assert.ok(zone.serial > 1_700_000_000);
    assert.deepEqual(zone.ns, ['localhost.']);
    for (const d of ['ending.example', 'evil.example', 'kept.example']) {
      assert.equal(zone.cname.get(d), '.');
      assert.equal(zone.cname.get(`*.${d}`), '.');
    }
    assert.equal(zone.cname.size, 6);
  });

  test('firewall EDLs: one entry a line, networks in CIDR, URLs without scheme', async () => {
    assert.deepEqual(readEdl(await text('B', '/feeds/edl/ip.txt'), 'ip').sort(), ['185.220.100.7', '185.220.101.0/24', '2a00:1450:4001:80b::200e']);
    assert.deepEqual(readEdl(await text('B', '/feeds/edl/domain.txt'), 'domain').sort(), ['ending.example', 'evil.example', 'kept.example']);
    assert.deepEqual(readEdl(await text('B', '/feeds/edl/url.txt'), 'url').sort(), ['evil.example/drop', 'evil.example:8443/gate.php?id=1']);
  });

  test('CSV: header, every visible indicator with its fields, read back by an RFC 4180 reader', async () => {
    const res = await as('B', '/feeds/csv/indicators.csv');
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.match(res.headers.get('content-disposition')!, /attachment; filename="baken-indicators.csv"/);
    const { header, rows } = readCsvRecords(await res.text());
    assert.deepEqual(header, ['type', 'value', 'tlp', 'confidence', 'valid_from', 'valid_until', 'labels', 'first_seen', 'last_seen', 'asn', 'country']);
    const ip = rows.find((r) => r.value === '185.220.100.7')!;
    assert.equal(ip.type, 'ipv4');
    assert.equal(ip.tlp, 'GREEN');
    assert.equal(ip.confidence, '80');
    assert.equal(ip.labels, 'c2;botnet x');
    assert.match(ip.first_seen!, /^\d{4}-\d\d-\d\dT/);
    assert.equal(rows.find((r) => r.value === 'ending.example')?.valid_until, '2026-03-01T12:00:00.000Z');
    assert.equal(rows.length, 12);
  });

  test('rights: A sees its AMBER and AMBER+STRICT, B and coordinator keys do not; RED, AMBER without alert, expired, future and withdrawn never', async () => {
    const values = async (who: string) => readCsvRecords(await text(who, '/feeds/csv/indicators.csv')).rows.map((r) => r.value);
    const a = await values('A');
    const b = await values('B');
    const staff = await values('staff');
    for (const v of ['amber-a.example', 'strict-a.example']) {
      assert.ok(a.includes(v), `A gets ${v}`);
      assert.ok(!b.includes(v), `B does not get ${v}`);
      assert.ok(!staff.includes(v), `the all-members view does not carry ${v}`);
    }
    for (const v of ['red.example', 'amber-nobody.example', 'expired.example', 'later.example', 'withdrawn.example']) {
      for (const [who, list] of [['A', a], ['B', b], ['staff', staff]] as const) assert.ok(!list.includes(v), `${who} must not get ${v}`);
    }
    assert.ok(b.includes('kept.example') && b.includes('ending.example'));
    assert.deepEqual(new Set(readZeekIntel(await text('A', '/feeds/zeek/intel.dat')).map((i) => i.indicator)).has('strict-a.example'), true);
    assert.ok(readRpzZone(await text('A', '/feeds/rpz/baken.rpz')).cname.has('*.amber-a.example'));
    assert.ok(!readRpzZone(await text('B', '/feeds/rpz/baken.rpz')).cname.has('amber-a.example'));
  });

  test('auth: no key 401 with a challenge, Basic with the key as password, Bearer, ?key=; other roles 403', async () => {
    const none = await get('/feeds/edl/ip.txt');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate')!, /Basic/);
    const basic = await get('/feeds/edl/ip.txt', { authorization: `Basic ${Buffer.from(`anyone:${keys.A}`).toString('base64')}` });
    assert.equal(basic.status, 200);
    assert.equal((await as('A', '/feeds/edl/ip.txt')).status, 200);
    assert.equal((await get(`/feeds/edl/ip.txt?key=${encodeURIComponent(keys.A!)}`)).status, 200);
    assert.equal((await get('/feeds/edl/ip.txt?key=bkn_wrong')).status, 401);
    assert.equal((await get('/feeds/edl/ip.txt', { authorization: 'Bearer bkn_wrong' })).status, 401);
    assert.equal((await as('handler', '/feeds/edl/ip.txt')).status, 403);
    // The query key counts on feed paths only.
    assert.equal((await get(`/api/v1/me?key=${encodeURIComponent(keys.A!)}`)).status, 401);
  });

  test('a key in the URL never reaches the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const app = await buildApp({ ctx: { ...t().ctx, log: pino({ level: 'trace' }, sink) } });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      assert.equal((await fetch(`${url}/feeds/suricata/baken-ip.lst?key=${encodeURIComponent(keys.B!)}&x=1`)).status, 200);
      assert.equal((await fetch(`${url}/feeds/suricata/baken-ip.lst?key=bkn_this_is_not_a_key_0123456789`)).status, 401);
    } finally {
      await app.close();
    }
    const log = lines.join('');
    assert.match(log, /\/feeds\/suricata\/baken-ip\.lst\?x=1/, 'requests are logged, without the key');
    assert.ok(!log.includes(keys.B!), 'the good key is not in the log');
    assert.ok(!log.includes('this_is_not_a_key'), 'nor is a bad one');
  });

  test('conditional requests: 304 while nothing changed, a new ETag, Last-Modified and RPZ serial after a change', async () => {
    const { ctx, clock } = t();
    const first = await as('B', '/feeds/rpz/baken.rpz');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers.get('cache-control'), 'private, no-cache');
    const serial = readRpzZone(await first.text()).serial;

    const head = await fetch(`${base}/feeds/rpz/baken.rpz`, { method: 'HEAD', headers: { authorization: `Bearer ${keys.B}` } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    // curl's first run without a saved tag sends an empty one: the whole file.
    assert.equal((await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': '""' })).status, 200);
    const same = await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': etag });
    assert.equal(same.status, 304);
    assert.equal(same.headers.get('etag'), etag);
    assert.equal(await same.text(), '');
    assert.equal((await as('B', '/feeds/rpz/baken.rpz', { 'if-modified-since': lastModified })).status, 304);
    // Every format has its own version.
    assert.notEqual((await as('B', '/feeds/edl/domain.txt')).headers.get('etag'), etag);
    // Another owner's copy is not this one.
    assert.equal((await as('A', '/feeds/rpz/baken.rpz', { 'if-none-match': etag })).status, 200);

    // A change invisible to B (A's AMBER indicator) leaves B's version alone.
    clock.advance(60_000);
    const amberA = await ctx.db.kysely.selectFrom('indicators').select('id').where('value', '=', 'amber-a.example').executeTakeFirstOrThrow();
    await updateIndicator(ctx, SYSTEM, Number(amberA.id), { labels: ['changed'] });
    assert.equal((await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': etag })).status, 304);

    // A new domain for everyone: a new version, later Last-Modified, higher serial.
    clock.advance(60_000);
    await upsertIndicator(ctx, SYSTEM, { value: 'new.example', tlp: 'GREEN' });
    const changed = await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': etag, 'if-modified-since': lastModified });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.ok(Date.parse(changed.headers.get('last-modified')!) > Date.parse(lastModified));
    const zone = readRpzZone(await changed.text());
    assert.ok(zone.serial > serial);
    assert.equal(zone.cname.get('new.example'), '.');
    assert.equal((await as('B', '/feeds/rpz/baken.rpz', { 'if-modified-since': lastModified })).status, 200);

    // Taking an indicator out of B's rights (TLP to RED) changes the version too.
    const etag2 = changed.headers.get('etag')!;
    clock.advance(60_000);
    const n = await ctx.db.kysely.selectFrom('indicators').select('id').where('value', '=', 'new.example').executeTakeFirstOrThrow();
    await updateIndicator(ctx, SYSTEM, Number(n.id), { tlp: 'RED' });
    const gone = await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': etag2 });
    assert.equal(gone.status, 200);
    assert.ok(!readRpzZone(await gone.text()).cname.has('new.example'));

    // Time alone: when ending.example expires it leaves the feed, and the version moves.
    const etag3 = gone.headers.get('etag')!;
    clock.advance(3 * 3600_000);
    const expired = await as('B', '/feeds/rpz/baken.rpz', { 'if-none-match': etag3 });
    assert.equal(expired.status, 200);
    assert.ok(!readRpzZone(await expired.text()).cname.has('ending.example'));
  });

});
