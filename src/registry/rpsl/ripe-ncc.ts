/**
 * Which parts of the RIPE database belong to the RIPE NCC's own administration rather than to a network operator.
 * The abuse contact search stops there: the RIPE NCC is not the abuse desk of the address space it hands out.
 */

/**
 * The RIPE NCC's registration-services maintainers (the "RS maintainers" of the RIPE whois server): they maintain
 * allocations, PI assignments and legacy space on the holder's behalf. RIPE-NCC-MNT is not among them: it maintains
 * the RIPE NCC's own networks, whose abuse desk is the RIPE NCC.
 */
export const RIPE_NCC_RS_MAINTAINERS: ReadonlySet<string> = new Set([
  'RIPE-NCC-HM-MNT',
  'RIPE-NCC-HM-PI-MNT',
  'RIPE-NCC-END-MNT',
  'RIPE-NCC-LEGACY-MNT',
  'RIPE-NCC-RPSL-MNT',
  'RIPE-GII-MNT',
]);

/** Organisations on the top-level blocks the RIPE NCC holds for IANA and for itself as a registry. */
export const RIPE_NCC_REGISTRY_ORGANISATIONS: ReadonlySet<string> = new Set(['ORG-NCC1-RIPE', 'ORG-IANA1-RIPE']);

/** Whether a RIPE NCC registration-services maintainer is among the maintainers (upper case). */
export function isRipeNccMaintained(mntBy: readonly string[]): boolean {
  return mntBy.some((m) => RIPE_NCC_RS_MAINTAINERS.has(m));
}

/**
 * Whether a network is RIPE NCC administrative space, whose contacts are never an operator's: blocks with status
 * `ALLOCATED UNSPECIFIED` (IANA blocks, unallocated space), and blocks maintained only by RIPE NCC maintainers that
 * carry no organisation other than the RIPE NCC's or IANA's (the IPv6 registry blocks, `::/0`).
 *
 * @example
 * isRipeNccAdministrative({ status: 'ALLOCATED UNSPECIFIED', org: 'ORG-IANA1-RIPE', mntBy: ['RIPE-NCC-HM-MNT'] }) // true
 * isRipeNccAdministrative({ status: 'ALLOCATED PA', org: 'ORG-EX1-RIPE', mntBy: ['RIPE-NCC-HM-MNT'] })          // false
 */
export function isRipeNccAdministrative(n: { status: string | null; org: string | null; mntBy: readonly string[] }): boolean {
  if (n.status !== null && n.status.toUpperCase().replace(/\s+/g, ' ') === 'ALLOCATED UNSPECIFIED') return true;
  return n.mntBy.length > 0 && n.mntBy.every((m) => RIPE_NCC_RS_MAINTAINERS.has(m)) && (n.org === null || RIPE_NCC_REGISTRY_ORGANISATIONS.has(n.org));
}
