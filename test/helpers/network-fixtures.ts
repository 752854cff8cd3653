/** The small network data fixtures (test/fixtures/registry) as sources for loadBundledNetworkData. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetworkDataSources } from '../../src/registry/network-data-sources.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../test/fixtures/registry/', import.meta.url));

export function fixtureSources(dir = FIXTURE_DIR): NetworkDataSources {
  return {
    asnIpv4: join(dir, 'asn-ipv4-num.csv'),
    asnIpv6: join(dir, 'asn-ipv6.csv'),
    countryIpv4: join(dir, 'country-ipv4-num.csv'),
    countryIpv6: join(dir, 'country-ipv6.csv'),
  };
}
