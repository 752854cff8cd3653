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
  'indicators:read',
  'indicators:manage',
  'analyses:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<KeyRole, readonly Permission[]> = {
  admin: ['organisations:read', 'organisations:manage', 'users:manage', 'apikeys:manage', 'audit:read', 'metrics:read', 'registry:lookup', 'operators:read', 'operators:manage', 'cases:read', 'cases:manage', 'indicators:read', 'indicators:manage', 'analyses:manage'],
  analyst: ['organisations:read', 'registry:lookup', 'operators:read', 'indicators:read', 'indicators:manage', 'analyses:manage'],
  handler: ['organisations:read', 'registry:lookup', 'operators:read', 'operators:manage', 'cases:read', 'cases:manage'],
  // Members may ask who runs an address (public registry data), nothing more.
  member: ['registry:lookup'],
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
