/** Network registry data: the bundled ASN/country tables and the CSV reader they are compiled with. */
export * from './csv-reader.js';
export * from './network-data-sources.js';
export * from './network-data-tables.js';
export * from './compile-network-data.js';
export * from './network-snapshot.js';
export * from './network-data.js';
export * from './load-bundled-network-data.js';
