/** Reading RDAP IP network objects: ranges, cidr0, country, and abuse contacts from the entity tree. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIp } from '../../../src/net/ip-address.js';
import { collectAbuseContacts, readRdapNetwork, vcardEmails } from '../../../src/registry/rdap/rdap-network.js';
import { BakenError } from '../../../src/platform/errors.js';

const at = (ip: string) => ({ queried: parseIp(ip), fetchedAt: '2026-03-01T10:00:00.000Z', sourceUrl: 'http://rdap.test/ip/' + ip });
const card = (...emails: unknown[]) => ['vcard', [['version', {}, 'text', '4.0'], ...emails.map((e) => ['email', {}, 'text', e])]];

describe('readRdapNetwork', () => {
  test('reads range, handle, name and country (upper case) from start/end addresses', () => {
    const n = readRdapNetwork(
      { objectClassName: 'ip network', handle: 'NET-1', startAddress: '192.0.2.0', endAddress: '192.0.2.255', name: 'DOC', country: 'nl' },
      at('192.0.2.7'),
    );
    assert.equal(n.network, '192.0.2.0/24');
    assert.deepEqual(n.range, { kind: 'ipv4', first: 0xc0000200, last: 0xc00002ff });
    assert.equal(n.handle, 'NET-1');
    assert.equal(n.name, 'DOC');
    assert.equal(n.country, 'NL');
    assert.equal(n.source, 'rdap');
    assert.equal(n.fetchedAt, '2026-03-01T10:00:00.000Z');
    assert.deepEqual(n.abuseContacts, []);
  });

  test('a range that is not one prefix is shown as first-last', () => {
    const n = readRdapNetwork({ startAddress: '192.0.2.0', endAddress: '192.0.3.127' }, at('192.0.3.1'));
    assert.equal(n.network, '192.0.2.0-192.0.3.127');
  });

  test('falls back to cidr0_cidrs (IPv4 and IPv6, several prefixes)', () => {
    const v6 = readRdapNetwork({ objectClassName: 'ip network', cidr0_cidrs: [{ v6prefix: '2001:db8::', length: 32 }] }, at('2001:db8::1'));
    assert.equal(v6.network, '2001:db8::/32');
    const v4 = readRdapNetwork(
      { cidr0_cidrs: [{ v4prefix: '198.51.100.0', length: 25 }, { v4prefix: '198.51.100.128', length: 25 }] },
      at('198.51.100.200'),
    );
    assert.equal(v4.network, '198.51.100.0/24');
  });

  test('rejects what is not a usable IP network, with RDAP_BAD_RESPONSE', () => {
    const bad = (json: unknown, ip = '192.0.2.1') =>
      assert.throws(() => readRdapNetwork(json, at(ip)), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_RDAP_BAD_RESPONSE');
    bad([]);
    bad('text');
    bad({ objectClassName: 'domain', ldhName: 'example.net' });
    bad({ objectClassName: 'ip network', name: 'no range' });
    bad({ startAddress: 'nonsense', endAddress: '192.0.2.255' });
    bad({ startAddress: '192.0.2.255', endAddress: '192.0.2.0' });
    bad({ cidr0_cidrs: [{ v4prefix: '192.0.2.0' }] });
    bad({ cidr0_cidrs: [{ v4prefix: '192.0.2.0', length: 24 }, { v6prefix: '2001:db8::', length: 32 }] });
    // A network that does not hold the address would be cached for addresses it does not cover.
    bad({ startAddress: '198.51.100.0', endAddress: '198.51.100.255' }, '192.0.2.1');
  });
});

describe('collectAbuseContacts', () => {
  test('the abuse entity directly under the network wins over deeper ones', () => {
    const emails = collectAbuseContacts([
      { roles: ['registrant'], entities: [{ roles: ['abuse'], vcardArray: card('org-abuse@example.net') }] },
      { roles: ['abuse'], vcardArray: card('net-abuse@example.net') },
      { roles: ['technical'], vcardArray: card('noc@example.net') },
    ]);
    assert.deepEqual(emails, ['net-abuse@example.net']);
  });

  test('else abuse entities one level down, those under the registrant first', () => {
    const emails = collectAbuseContacts([
      { roles: ['technical'], entities: [{ roles: ['abuse'], vcardArray: card('tech-abuse@example.net') }] },
      { roles: ['registrant'], entities: [{ roles: ['abuse'], vcardArray: card('org-abuse@example.net') }] },
    ]);
    assert.deepEqual(emails, ['org-abuse@example.net', 'tech-abuse@example.net']);
  });

  test('walks deeper levels, and an abuse entity without an email does not stop the walk', () => {
    const emails = collectAbuseContacts([
      { roles: ['abuse'], vcardArray: card() },
      { roles: ['registrant'], entities: [{ roles: ['administrative'], entities: [{ roles: ['ABUSE'], vcardArray: card('deep@example.net') }] }] },
    ]);
    assert.deepEqual(emails, ['deep@example.net']);
  });

  test('cleans addresses: case, display names, mailto:, duplicates, invalid ones dropped', () => {
    const emails = collectAbuseContacts([
      { roles: ['abuse'], vcardArray: card('Abuse Desk <ABUSE@Example.NET>', 'mailto:abuse@example.net', 'not-an-address', 'second@example.net,', 42) },
    ]);
    assert.deepEqual(emails, ['abuse@example.net', 'second@example.net']);
  });

  test('tolerates junk: no entities, non-objects, roles that are not lists', () => {
    assert.deepEqual(collectAbuseContacts(undefined), []);
    assert.deepEqual(collectAbuseContacts('x'), []);
    assert.deepEqual(collectAbuseContacts([null, 1, { roles: 'abuse', vcardArray: card('a@example.net') }]), []);
  });
});

describe('vcardEmails', () => {
  test('reads email properties of a jCard, string or list values, any case of the name', () => {
    assert.deepEqual(vcardEmails(['vcard', [['fn', {}, 'text', 'X'], ['EMAIL', {}, 'text', 'a@example.net'], ['email', { pref: '1' }, 'text', ['b@example.net', 'c@example.net']]]]), [
      'a@example.net',
      'b@example.net',
      'c@example.net',
    ]);
    assert.deepEqual(vcardEmails(['notvcard', []]), []);
    assert.deepEqual(vcardEmails(null), []);
  });
});
