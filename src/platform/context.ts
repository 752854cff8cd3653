/**
 * What domain code is handed: the database, the clock, the configuration and a
 * logger. Routes, CLI commands and workers build one and pass it down.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import type { Db } from './db/database.js';

export interface Context {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  /** The server secret (from config or generated into the data directory). */
  secret: string;
  /**
   * This node's hub events; default the process's one (`hubEvents`). Only tests that run two nodes in one
   * process set it, so that each node has its own, as separate processes do.
   */
  hubEvents?: import('../hub/hub-events.js').HubEvents;
}

/** Who does something, as the audit log and the policies see it. */
export type Actor =
  | {
      kind: 'user';
      userId: number;
      label: string;
      organisationId: number;
      role: import('../accounts/roles.js').UserRole;
      /** A member user who administers its own organisation's member profile; absent means no. */
      orgAdmin?: boolean;
    }
  | { kind: 'api_key'; apiKeyId: number; label: string; organisationId: number; role: import('../accounts/roles.js').KeyRole }
  | { kind: 'system'; label: string }
  | { kind: 'anonymous' };

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** The actor and the request: what every audited change needs. */
export interface Caller {
  actor: Actor;
  meta: RequestMeta;
}

export const SYSTEM: Caller = { actor: { kind: 'system', label: 'system' }, meta: { ip: null, userAgent: null, requestId: null } };

/** A caller for CLI commands: the system, acting for the person at the terminal. */
export function cliCaller(command: string): Caller {
  return { actor: { kind: 'system', label: `cli: ${command}` }, meta: { ip: null, userAgent: null, requestId: null } };
}
