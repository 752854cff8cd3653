import type { CsvMapping, HostFormat } from './intake-types.js';

/** Column names read as the address, the port and the time, best first (compared lower-cased and trimmed). */
export const IP_COLUMN_NAMES = [
  'ip',
  'ip_address',
  'ipaddress',
  'ip_addr',
  'address',
  'addr',
  'src_ip',
  'source_ip',
  'source.ip',
  'saddr',
  'ipv4',
  'ipv6',
  'host',
] as const;
export const PORT_COLUMN_NAMES = ['port', 'src_port', 'source_port', 'source.port', 'sport'] as const;
export const TIMESTAMP_COLUMN_NAMES = ['timestamp', 'time', 'date', 'datetime', 'first_seen', 'time.source', 'seen', 'last_seen'] as const;

/**
 * Whether a header is a Shadowserver report's: every Shadowserver report starts with `timestamp` and has the host's
 * address and its `asn` and `geo` (scan reports as `ip`, `asn`, `geo`; event reports as `src_ip`, `src_asn`,
 * `src_geo`). A researcher's CSV rarely has all four.
 *
 * @example
 * isShadowserverHeader(['timestamp', 'ip', 'protocol', 'port', 'hostname', 'tag', 'asn', 'geo']) // true
 * isShadowserverHeader(['ip', 'port']) // false
 */
export function isShadowserverHeader(columns: readonly string[]): boolean {
  const names = new Set(columns.map((c) => c.trim().toLowerCase()));
  if (!names.has('timestamp')) return false;
  return (names.has('ip') && names.has('asn') && names.has('geo')) || (names.has('src_ip') && names.has('src_asn') && names.has('src_geo'));
}

/** The first header column whose name is one of `names` (best name first), or -1. */
function findColumn(columns: readonly string[], names: readonly string[]): number {
  const lower = columns.map((c) => c.trim().toLowerCase());
  for (const name of names) {
    const i = lower.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

/**
 * Guesses the mapping of a CSV header from common column names: the address, the port and the time, and every
 * other column as an extra. Null when no column looks like an address.
 *
 * @example
 * guessCsvMapping(['IP', 'Port', 'first_seen', 'banner'])
 * // { ip: 'IP', port: 'Port', timestamp: 'first_seen', extra: ['banner'] }
 */
export function guessCsvMapping(columns: readonly string[]): CsvMapping | null {
  const ip = findColumn(columns, IP_COLUMN_NAMES);
  if (ip < 0) return null;
  const port = findColumn(columns, PORT_COLUMN_NAMES);
  const timestamp = findColumn(columns, TIMESTAMP_COLUMN_NAMES);
  return {
    ip: columns[ip]!,
    port: port < 0 ? null : columns[port]!,
    timestamp: timestamp < 0 ? null : columns[timestamp]!,
    extra: columns.filter((c, i) => i !== ip && i !== port && i !== timestamp && c.trim() !== ''),
  };
}

/**
 * The mapping of a Shadowserver header: `ip` (or `src_ip`), `port` (or `src_port`), `timestamp`, and every other
 * column (asn, geo, hostname, tag, ...) as an extra.
 */
export function shadowserverMapping(columns: readonly string[]): CsvMapping | null {
  const lower = columns.map((c) => c.trim().toLowerCase());
  let ip = lower.indexOf('ip');
  let port = lower.indexOf('port');
  if (ip < 0) {
    ip = lower.indexOf('src_ip');
    port = lower.indexOf('src_port');
  }
  if (ip < 0) return null;
  const timestamp = lower.indexOf('timestamp');
  return {
    ip: columns[ip]!,
    port: port < 0 ? null : columns[port]!,
    timestamp: timestamp < 0 ? null : columns[timestamp]!,
    extra: columns.filter((c, i) => i !== ip && i !== port && i !== timestamp && c.trim() !== ''),
  };
}

/**
 * Recognises the format from the first line that is neither blank nor a `#` comment: a JSON object is IntelMQ,
 * a Shadowserver header is Shadowserver, a header with an address-like column name is CSV, anything else a plain
 * list of addresses. `columns` is the first line split as a CSV record.
 *
 * @example
 * detectFormat('{"source.ip": "31.149.1.1"}', [])          // 'intelmq'
 * detectFormat('ip,port', ['ip', 'port'])                    // 'csv'
 * detectFormat('31.149.1.1', ['31.149.1.1'])                 // 'ips'
 */
export function detectFormat(firstLine: string, columns: readonly string[]): Exclude<HostFormat, 'auto'> {
  if (firstLine.trimStart().startsWith('{')) return 'intelmq';
  if (isShadowserverHeader(columns)) return 'shadowserver';
  if (findColumn(columns, IP_COLUMN_NAMES) >= 0) return 'csv';
  return 'ips';
}
