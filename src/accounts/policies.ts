/**
 * Who may do what. One table of permissions per role, and named policies on top
 * of it; the API, the pages, and later TAXII and the feeds all ask here.
 */
import type { Actor } from '../platform/context.js';
import type { KeyRole } from './roles.js';

export const PERMISSIONS = [
  'organisations:read',
  'organisations:manage',
  'users:manage',
  'apikeys:manage',
  'audit:read',
  'metrics:read',
  'registry:lookup',
  'operators:read',
  'operators:manage',
  'cases:read',
  'cases:manage',
  'members:read',
  'members:manage',
  'indicators:read',
  'indicators:manage',
  'analyses:manage',
  'alerts:manage',
  'sightings:report',
  'sightings:read',
  'feeds:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<KeyRole, readonly Permission[]> = {
  admin: ['organisations:read', 'organisations:manage', 'users:manage', 'apikeys:manage', 'audit:read', 'metrics:read', 'registry:lookup', 'operators:read', 'operators:manage', 'cases:read', 'cases:manage', 'members:read', 'members:manage', 'indicators:read', 'indicators:manage', 'analyses:manage', 'alerts:manage', 'sightings:read', 'feeds:read'],
  analyst: ['organisations:read', 'members:read', 'registry:lookup', 'operators:read', 'indicators:read', 'indicators:manage', 'analyses:manage', 'alerts:manage', 'sightings:read', 'feeds:read'],
  handler: ['organisations:read', 'registry:lookup', 'operators:read', 'operators:manage', 'cases:read', 'cases:manage'],
  // Members may ask who runs an address (public registry data), report and read their own sightings, and take
  // feeds (each cut to the organisation's own TLP rights).
  member: ['registry:lookup', 'sightings:report', 'sightings:read', 'feeds:read'],
  metrics: ['metrics:read'],
};

export function roleOf(actor: Actor): KeyRole | null {
  return actor.kind === 'user' || actor.kind === 'api_key' ? actor.role : null;
}

/** @example can(request.caller.actor, 'users:manage') */
export function can(actor: Actor, permission: Permission): boolean {
  if (actor.kind === 'system') return true;
  const role = roleOf(actor);
  return role !== null && GRANTS[role].includes(permission);
}

export function permissionsOf(actor: Actor): Permission[] {
  return PERMISSIONS.filter((p) => can(actor, p));
}

export const canManageOrganisations = (actor: Actor): boolean => can(actor, 'organisations:manage');
export const canManageUsers = (actor: Actor): boolean => can(actor, 'users:manage');
export const canManageApiKeys = (actor: Actor): boolean => can(actor, 'apikeys:manage');
export const canReadAudit = (actor: Actor): boolean => can(actor, 'audit:read');
export const canReadMetrics = (actor: Actor): boolean => can(actor, 'metrics:read');

/**
 * Member profiles (contacts, webhook, preferences). Coordinator staff with `members:read` see every member,
 * `members:manage` (the coordinator's admin) changes any; a member organisation's own users and keys see its own
 * profile, and its member admins (users with the org_admin flag) change it. Nobody reaches another member's profile.
 * A flag rather than a new role, because a member admin is a member in every other respect (TLP, alerts,
 * sightings): a role would have to repeat every member grant and every `role === 'member'` check.
 */
export function canReadMember(actor: Actor, organisationId: number): boolean {
  if (can(actor, 'members:read')) return true;
  return (actor.kind === 'user' || actor.kind === 'api_key') && actor.role === 'member' && actor.organisationId === organisationId;
}

export function canManageMember(actor: Actor, organisationId: number): boolean {
  if (can(actor, 'members:manage')) return true;
  return actor.kind === 'user' && actor.role === 'member' && actor.orgAdmin === true && actor.organisationId === organisationId;
}
