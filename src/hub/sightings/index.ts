/** Sightings back from members, observations of unknown values, and their re-broadcast to alert audiences. */
export * from './sightings.js';
export * from './sighting-messages.js';
export * from './sighting-rebroadcasts.js';
export * from './sector-sightings.js';
export * from './observations.js';
export * from './sighting-overview.js';
export * from './alert-sightings.js';
export * from './may-name-reporter.js';
