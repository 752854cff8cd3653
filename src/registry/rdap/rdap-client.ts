import type { IpAddress } from '../../net/ip-address.js';
import type { RdapNetwork } from './rdap-network.js';

/**
 * The narrow view of an RDAP service that the fallback depends on, so tests and other transports can stand in.
 *
 * `lookupIp` resolves to the network holding the address, or null when the registry has nothing for it (404).
 * It rejects with a `BakenError`: `RDAP_RATE_LIMITED` (as {@link RdapRateLimitedError}, with the registry's
 * Retry-After), `RDAP_TIMEOUT`, `RDAP_UNAVAILABLE` or `RDAP_BAD_RESPONSE`.
 */
export interface RdapClient {
  lookupIp(ip: IpAddress): Promise<RdapNetwork | null>;
}
