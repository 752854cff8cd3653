/** MISP events and warninglists written for these tests (not copied from anywhere). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EVENT_UUID = '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
export const ATTR = {
  ip: '6a1f0c2e-0000-4000-8000-000000000001',
  domain: '6a1f0c2e-0000-4000-8000-000000000002',
  url: '6a1f0c2e-0000-4000-8000-000000000003',
  text: '6a1f0c2e-0000-4000-8000-000000000004',
  port: '6a1f0c2e-0000-4000-8000-000000000005',
  domainIp: '6a1f0c2e-0000-4000-8000-000000000006',
  file: '6a1f0c2e-0000-4000-8000-000000000007',
  objHash: '6a1f0c2e-0000-4000-8000-000000000008',
  objName: '6a1f0c2e-0000-4000-8000-000000000009',
};
export const SHA256 = 'a'.repeat(63) + 'b';
export const OBJ_SHA256 = 'c'.repeat(64);

/** An event with attributes, an object, tags at both levels and sightings of every type. */
export function richEvent(over: { timestamp?: string; extra?: unknown[] } = {}) {
  return {
    Event: {
      uuid: EVENT_UUID,
      info: 'Phishing wave against energy companies',
      date: '2026-02-20',
      timestamp: over.timestamp ?? '1771900000',
      threat_level_id: '1',
      analysis: '2',
      Orgc: { name: 'CERT Example', uuid: '5e0b7d1c-1111-4222-8333-444455556666' },
      Tag: [{ name: 'tlp:amber' }, { name: 'admiralty-scale:information-credibility="2"' }, { name: 'ecsirt:malicious-code="ransomware"' }],
      Attribute: [
        {
          uuid: ATTR.ip, type: 'ip-dst', category: 'Network activity', value: '31.149.1.7', to_ids: true, timestamp: '1771800000',
          Sighting: [
            { uuid: '7b000000-0000-4000-8000-000000000001', type: '0', date_sighting: '1771850000', source: 'ids', Organisation: { name: 'Netbeheer Voorbeeld', uuid: '7c000000-0000-4000-8000-000000000001' } },
            { uuid: '7b000000-0000-4000-8000-000000000002', type: '0', date_sighting: '1771860000', Organisation: { name: 'Somebody Abroad' } },
          ],
        },
        {
          uuid: ATTR.domain, type: 'domain', category: 'Network activity', value: 'Login-Portal[.]evil.example', to_ids: true, first_seen: '2026-02-01T08:00:00.000000+00:00',
          Tag: [{ name: 'tlp:red' }, { name: 'misp:confidence-level="completely-confident"' }],
          Sighting: [{ type: '1', date_sighting: '1771870000', Organisation: { name: 'Netbeheer Voorbeeld' } }],
        },
        { uuid: ATTR.url, type: 'url', value: 'http://evil.example/login', to_ids: false },
        { uuid: ATTR.text, type: 'text', value: 'Locky', to_ids: true },
        { uuid: ATTR.port, type: 'ip-src|port', value: '185.12.64.3|8443', to_ids: '1', Tag: [{ name: 'tlp:white' }] },
        { uuid: ATTR.domainIp, type: 'domain|ip', value: 'c2.evil.example|2001:200::1', to_ids: true },
        { uuid: ATTR.file, type: 'filename|sha256', value: `invoice.exe|${SHA256.toUpperCase()}`, to_ids: true, Sighting: [{ type: '2', date_sighting: '1772900000' }] },
        ...(over.extra ?? []),
      ],
      Object: [
        {
          name: 'file', uuid: '6a1f0c2e-1111-4000-8000-000000000001',
          Attribute: [
            { uuid: ATTR.objHash, type: 'sha256', object_relation: 'sha256', value: OBJ_SHA256, to_ids: true, Tag: [{ name: 'tlp:green' }] },
            { uuid: ATTR.objName, type: 'filename', object_relation: 'filename', value: 'dropper.dll', to_ids: true },
          ],
        },
      ],
    },
  };
}

/** A small feed event: `n` domains `host<i>.<name>.example`. */
export function feedEvent(uuid: string, timestamp: number, name: string, n: number, extra: Array<Record<string, unknown>> = []) {
  return {
    Event: {
      uuid,
      info: `Feed event ${name}`,
      date: '2026-02-01',
      timestamp: String(timestamp),
      analysis: '2',
      threat_level_id: '2',
      Orgc: { name: 'Feed Org', uuid: '5e0b7d1c-2222-4222-8333-444455556666' },
      Tag: [{ name: 'tlp:green' }],
      Attribute: [...Array.from({ length: n }, (_, i) => ({ uuid: `${uuid.slice(0, 24)}${(i + 1).toString(16).padStart(12, '0')}`, type: 'domain', category: 'Network activity', value: `host${i}.${name}.example`, to_ids: true, timestamp: String(timestamp) })), ...extra],
    },
  };
}

/** Writes a feed directory (manifest.json, hashes.csv, one file per event). */
export function writeFeed(dir: string, events: Array<ReturnType<typeof feedEvent>>): void {
  mkdirSync(dir, { recursive: true });
  const manifest: Record<string, unknown> = {};
  for (const e of events) {
    manifest[e.Event.uuid] = { info: e.Event.info, date: e.Event.date, timestamp: Number(e.Event.timestamp), analysis: 2, threat_level_id: 2, Orgc: e.Event.Orgc, Tag: e.Event.Tag };
    writeFileSync(join(dir, `${e.Event.uuid}.json`), JSON.stringify(e));
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'hashes.csv'), '');
}

/** A directory of warninglists of every type the hub matches. */
export function writeWarninglists(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baken-wl-'));
  const lists: Record<string, unknown> = {
    'our-resolvers': { name: 'Resolvers we run', version: 1, type: 'cidr', matching_attributes: ['ip-src', 'ip-dst', 'domain|ip'], list: ['185.12.64.0/24'] },
    'big-sites': { name: 'Big sites', version: 1, type: 'hostname', matching_attributes: ['hostname', 'domain', 'url'], list: ['popular.example'] },
    'empty-files': { name: 'Hashes of empty files', version: 1, type: 'string', matching_attributes: ['sha256', 'filename|sha256'], list: [OBJ_SHA256] },
    'trackers': { name: 'Trackers', version: 1, type: 'regex', matching_attributes: ['domain', 'hostname'], list: ['/^tracker[0-9]+\\.example$/i'] },
    'cdn': { name: 'CDN paths', version: 1, type: 'substring', matching_attributes: ['url'], list: ['/cdn-static/'] },
  };
  for (const [id, list] of Object.entries(lists)) {
    mkdirSync(join(dir, 'lists', id), { recursive: true });
    writeFileSync(join(dir, 'lists', id, 'list.json'), JSON.stringify(list));
  }
  return dir;
}
