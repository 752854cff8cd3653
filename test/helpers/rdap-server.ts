/**
 * A local RDAP server that answers like regional registries do, for tests. `{url}/ripe` is a RIPE-like service,
 * `{url}/arin/registry` an ARIN-like one; the RIPE-like one redirects (301) addresses it does not hold to the other,
 * as the real ones do. What it answers, by address:
 *
 * | address | answer |
 * | --- | --- |
 * | 193.0.0.0 - 193.0.7.255 | RIPE style: abuse role directly under the network |
 * | 2001:67c:2e8::/48 | range only as `cidr0_cidrs`; abuse role under the network |
 * | 145.100.0.0/16 | abuse role only under the registrant organisation (and one under a technical contact) |
 * | 62.0.0.0/16 | a network without any abuse role |
 * | 8.8.8.0/24 | 301 to the ARIN-like base; there the abuse role is nested under the registrant, ARIN style |
 * | 60.N.0.0/16 | a plain network per N, abuse@net-N.example, for counting requests |
 * | 5.5.5.5 | 404 with an RDAP error object |
 * | 6.6.6.6 | 429 with Retry-After: 120 |
 * | 7.7.7.7 | a good answer after `slowMs` (default 2 s) |
 * | 9.9.9.9 | 200 with malformed JSON |
 * | 11.11.11.11 | 503 |
 * | 12.12.12.12 | 200 with a domain object instead of an IP network |
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from './ports.js';

export interface RdapRequest {
  path: string;
  accept: string | undefined;
}

export interface RdapTestServer {
  /** `http://127.0.0.1:PORT`; the services live under `/ripe` and `/arin/registry`. */
  url: string;
  ripeBase: string;
  arinBase: string;
  /** Every request the server saw, in order. */
  requests: RdapRequest[];
  /** How many requests asked for this address (on either service). */
  hits(address: string): number;
  /** How long the slow address takes. */
  slowMs: number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const vcard = (fn: string, ...emails: string[]) => ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', fn], ['kind', {}, 'text', 'group'], ...emails.map((e) => ['email', { type: 'work' }, 'text', e])]];

function ripeNetwork(): Json {
  return {
    rdapConformance: ['cidr0', 'rdap_level_0'],
    objectClassName: 'ip network',
    handle: '193.0.0.0 - 193.0.7.255',
    startAddress: '193.0.0.0',
    endAddress: '193.0.7.255',
    ipVersion: 'v4',
    name: 'RIPE-NCC',
    type: 'ASSIGNED PA',
    country: 'nl',
    parentHandle: '193.0.0.0 - 193.0.23.255',
    cidr0_cidrs: [{ v4prefix: '193.0.0.0', length: 21 }],
    entities: [
      { objectClassName: 'entity', handle: 'ORG-RIEN1-RIPE', roles: ['registrant'], vcardArray: vcard('Reseaux IP Europeens Network Coordination Centre (RIPE NCC)') },
      { objectClassName: 'entity', handle: 'OPS4-RIPE', roles: ['abuse'], vcardArray: vcard('RIPE NCC Operations', 'RIPE NCC Abuse <Abuse@RIPE.net>') },
      { objectClassName: 'entity', handle: 'RIPE-NCC-MNT', roles: ['registrant'] },
      { objectClassName: 'entity', handle: 'OPS4-RIPE', roles: ['technical', 'administrative'], vcardArray: vcard('RIPE NCC Operations', 'noc@ripe.net') },
    ],
    links: [{ rel: 'self', href: 'https://rdap.db.ripe.net/ip/193.0.0.0/21' }],
    port43: 'whois.ripe.net',
  };
}

function ripeV6Network(): Json {
  return {
    objectClassName: 'ip network',
    handle: '2001:67c:2e8::/48',
    ipVersion: 'v6',
    name: 'RIPE-NCC',
    country: 'NL',
    cidr0_cidrs: [{ v6prefix: '2001:67c:2e8::', length: 48 }],
    entities: [{ handle: 'OPS4-RIPE', roles: ['abuse'], vcardArray: vcard('RIPE NCC Operations', 'mailto:abuse@ripe.net') }],
  };
}

function orgAbuseNetwork(): Json {
  return {
    objectClassName: 'ip network',
    handle: '145.100.0.0 - 145.100.255.255',
    startAddress: '145.100.0.0',
    endAddress: '145.100.255.255',
    name: 'SURFNET-NL',
    country: 'NL',
    entities: [
      {
        handle: 'AS1103-MNT-TECH',
        roles: ['technical'],
        vcardArray: vcard('Tech', 'noc@surf.example'),
        entities: [{ handle: 'TECH-ABUSE', roles: ['abuse'], vcardArray: vcard('Tech abuse', 'tech-abuse@surf.example') }],
      },
      {
        handle: 'ORG-SURF1-RIPE',
        roles: ['registrant'],
        vcardArray: vcard('SURF B.V.'),
        entities: [
          { handle: 'SURF-ABUSE', roles: ['abuse'], vcardArray: vcard('SURF abuse', 'mailto:Abuse@SURF.example', 'abuse@surf.example', 'not an address') },
        ],
      },
    ],
  };
}

function noAbuseNetwork(): Json {
  return {
    objectClassName: 'ip network',
    handle: '62.0.0.0 - 62.0.255.255',
    startAddress: '62.0.0.0',
    endAddress: '62.0.255.255',
    name: 'NO-ABUSE-NET',
    country: 'DE',
    entities: [{ handle: 'ORG-X', roles: ['registrant'], vcardArray: vcard('X', 'info@x.example') }],
  };
}

function arinNetwork(): Json {
  return {
    rdapConformance: ['nro_rdap_profile_0', 'rdap_level_0', 'cidr0', 'arin_originas0'],
    objectClassName: 'ip network',
    handle: 'NET-8-8-8-0-2',
    startAddress: '8.8.8.0',
    endAddress: '8.8.8.255',
    ipVersion: 'v4',
    name: 'GOGL',
    type: 'DIRECT ALLOCATION',
    cidr0_cidrs: [{ v4prefix: '8.8.8.0', length: 24 }],
    entities: [
      {
        objectClassName: 'entity',
        handle: 'GOGL',
        roles: ['registrant'],
        vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Google LLC'], ['adr', { label: '1600 Amphitheatre Parkway' }, 'text', ['', '', '', '', '', '', '']], ['kind', {}, 'text', 'org']]],
        entities: [
          { objectClassName: 'entity', handle: 'ABUSE5250-ARIN', roles: ['abuse'], vcardArray: vcard('Abuse', 'network-abuse@google.com') },
          { objectClassName: 'entity', handle: 'ZG39-ARIN', roles: ['administrative', 'technical'], vcardArray: vcard('Google LLC', 'arin-contact@google.com') },
        ],
      },
    ],
  };
}

function plainNetwork(n: number): Json {
  return {
    objectClassName: 'ip network',
    handle: `60.${n}.0.0 - 60.${n}.255.255`,
    startAddress: `60.${n}.0.0`,
    endAddress: `60.${n}.255.255`,
    name: `NET-${n}`,
    country: 'NL',
    entities: [{ handle: `AB${n}`, roles: ['abuse'], vcardArray: vcard('Abuse', `abuse@net-${n}.example`) }],
  };
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startRdapServer(): Promise<RdapTestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const requests: RdapRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state = { slowMs: 2000 };

  const send = (res: ServerResponse, status: number, body: Json | string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/rdap+json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const notFound = (res: ServerResponse) => send(res, 404, { errorCode: 404, title: 'Not Found', description: ['No network found'] });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    requests.push({ path, accept: req.headers.accept });
    const m = /^\/(ripe|arin\/registry)\/ip\/([^/?]+)$/.exec(path);
    if (!m) return notFound(res);
    const service = m[1]!;
    const address = decodeURIComponent(m[2]!);
    if (service === 'arin/registry') return /^8\.8\.8\.\d+$/.test(address) ? send(res, 200, arinNetwork()) : notFound(res);
    if (/^193\.0\.[0-7]\.\d+$/.test(address)) return send(res, 200, ripeNetwork());
    if (address.startsWith('2001:67c:2e8:')) return send(res, 200, ripeV6Network());
    if (/^145\.100\.\d+\.\d+$/.test(address)) return send(res, 200, orgAbuseNetwork());
    if (/^62\.0\.\d+\.\d+$/.test(address)) return send(res, 200, noAbuseNetwork());
    if (/^8\.8\.8\.\d+$/.test(address)) {
      res.writeHead(301, { location: `${url}/arin/registry/ip/${address}`, 'content-type': 'application/rdap+json' });
      return res.end();
    }
    const plain = /^60\.(\d+)\.\d+\.\d+$/.exec(address);
    if (plain) return send(res, 200, plainNetwork(Number(plain[1])));
    switch (address) {
      case '6.6.6.6':
        return send(res, 429, { errorCode: 429, title: 'Too Many Requests' }, { 'retry-after': '120' });
      case '7.7.7.7': {
        const t = setTimeout(() => {
          timers.delete(t);
          send(res, 200, { ...plainNetwork(7), handle: 'SLOW', startAddress: '7.7.7.0', endAddress: '7.7.7.255' });
        }, state.slowMs);
        timers.add(t);
        return;
      }
      case '9.9.9.9':
        return send(res, 200, '{"objectClassName": "ip network", "startAddress": ');
      case '11.11.11.11':
        return send(res, 503, { errorCode: 503, title: 'Service Unavailable' });
      case '12.12.12.12':
        return send(res, 200, { objectClassName: 'domain', ldhName: 'example.net' });
      default:
        return notFound(res);
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    url,
    ripeBase: `${url}/ripe`,
    arinBase: `${url}/arin/registry`,
    requests,
    hits: (address) => requests.filter((r) => r.path.endsWith(`/ip/${address}`)).length,
    get slowMs() {
      return state.slowMs;
    },
    set slowMs(ms: number) {
      state.slowMs = ms;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
