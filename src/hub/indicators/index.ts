/** Indicators: normalisation, bulk entry, storage with history and registry enrichment. */
export * from './indicator-types.js';
export * from './normalize-indicator.js';
export * from './parse-indicator-lines.js';
export * from './indicators.js';
