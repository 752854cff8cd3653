/** The RDAP fallback (RFC 9083, 9082, 7480): abuse contacts from an RDAP registry, cached and rate limited. */
export * from './rdap-network.js';
export type { RdapClient } from './rdap-client.js';
export * from './http-rdap-client.js';
export * from './rdap-rate-limited-error.js';
export * from './rdap-rate-limiter.js';
export * from './rdap-cache.js';
export * from './rdap-fallback.js';
