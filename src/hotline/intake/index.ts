/** Host intake: affected-host uploads (plain lists, CSV, Shadowserver, IntelMQ) to deduplicated, checked hosts. Pure. */
export * from './intake-types.js';
export * from './intake-error.js';
export { HostIntake, MAX_LINE_LENGTH } from './host-intake.js';
export type { IntakeOptions } from './host-intake.js';
export { readHosts, readHostBatches, readAllHosts } from './read-hosts.js';
export type { HostsRead } from './read-hosts.js';
export { previewHosts } from './preview-hosts.js';
export type { HostPreview } from './preview-hosts.js';
export { detectFormat, guessCsvMapping, isShadowserverHeader, shadowserverMapping } from './detect-format.js';
export { checkAddress, parsePort } from './check-address.js';
export { normalizeTimestamp, timestampProblem } from './normalize-timestamp.js';
export { HostKeySet } from './host-key-set.js';
export { loadWarninglist, loadWarninglistsFromDir, WarninglistError, WarninglistIndex } from './warninglist.js';
export type { LoadedWarninglists, Warninglist, WarninglistType } from './warninglist.js';
