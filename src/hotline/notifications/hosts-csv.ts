/**
 * The attachment an operator receives: its own hosts in Shadowserver-like
 * columns (timestamp, ip, port, asn), then the case's extra columns.
 */
import { csvCell } from '../../platform/csv-cell.js';

export interface CsvHost {
  ip: string;
  port: number | null;
  seenAt: string | null;
  asn: number | null;
  extra: Record<string, string> | null;
}

export const BASE_COLUMNS = ['timestamp', 'ip', 'port', 'asn'] as const;

// Quote when needed, and defuse spreadsheet formulas (a value starting with = + - @ would run in Excel).
const field = csvCell;

/**
 * @example
 * hostsCsv([{ ip: '192.0.2.1', port: 443, seenAt: '2026-11-20T10:00:00Z', asn: 64500, extra: { tag: 'citrix' } }], ['tag'])
 * // 'timestamp,ip,port,asn,tag\n2026-11-20T10:00:00Z,192.0.2.1,443,64500,citrix\n'
 */
export function hostsCsv(hosts: Iterable<CsvHost>, extraColumns: readonly string[]): string {
  const extras = extraColumns.filter((c) => !(BASE_COLUMNS as readonly string[]).includes(c));
  const lines = [[...BASE_COLUMNS, ...extras].map(field).join(',')];
  for (const h of hosts) {
    lines.push(
      [h.seenAt ?? '', h.ip, h.port === null ? '' : String(h.port), h.asn === null ? '' : String(h.asn), ...extras.map((c) => h.extra?.[c] ?? '')]
        .map(field)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
