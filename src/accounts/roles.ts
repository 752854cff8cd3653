/** The closed sets of organisation kinds, user roles and key roles. */

export const ORGANISATION_KINDS = ['coordinator', 'member', 'operator'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const USER_ROLES = ['admin', 'analyst', 'handler', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Keys take the user roles, plus `metrics` for a scraper that may read /metrics and nothing else. */
export const KEY_ROLES = [...USER_ROLES, 'metrics'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** Coordinator staff roles belong to the coordinator; `member` belongs to a member organisation. */
export function roleFitsOrganisation(role: KeyRole, kind: OrganisationKind): boolean {
  if (role === 'member') return kind === 'member';
  return kind === 'coordinator';
}
