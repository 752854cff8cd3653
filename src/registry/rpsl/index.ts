/** The RIPE database: reading RPSL dumps, importing them as snapshots, and abuse contacts from the current one. */
export * from './rpsl-primary-key.js';
export * from './rpsl-reader.js';
export * from './ripe-ncc.js';
export * from './rpsl-snapshots.js';
export * from './import-rpsl.js';
export * from './rpsl-registry.js';
