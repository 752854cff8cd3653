/** Pure IP toolkit: addresses, prefixes, ranges, classification and prefix tables. No I/O. */
export * from './ip-parse-error.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './ip-address.js';
export * from './cidr.js';
export * from './ip-range.js';
export * from './classify-ip.js';
export * from './binary-sections.js';
export * from './flatten-ranges.js';
export * from './ipv4-prefix-table.js';
export { Ipv6PrefixTable, overlayIpv6Tables, isMappedWords } from './ipv6-prefix-table.js';
export type { Ipv6Range } from './ipv6-prefix-table.js';
