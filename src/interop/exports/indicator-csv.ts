/**
 * Every indicator of a feed as CSV (RFC 4180, header row), with cells made safe for spreadsheets. Labels are
 * separated by `;`, as Baken's own indicator import reads them.
 */
import { csvCell } from '../../platform/csv-cell.js';
import type { FeedIndicator } from './feed-indicators.js';

export const INDICATOR_CSV_COLUMNS = ['type', 'value', 'tlp', 'confidence', 'valid_from', 'valid_until', 'labels', 'first_seen', 'last_seen', 'asn', 'country'] as const;

export async function* indicatorCsv(rows: AsyncIterable<FeedIndicator>): AsyncGenerator<string> {
  yield `${INDICATOR_CSV_COLUMNS.join(',')}\r\n`;
  for await (const i of rows) {
    const cells = [i.type, i.value, i.tlp, String(i.confidence), i.validFrom ?? '', i.validUntil ?? '', i.labels.join(';'), i.firstSeen, i.lastSeen, i.asn === null ? '' : String(i.asn), i.country ?? ''];
    yield `${cells.map(csvCell).join(',')}\r\n`;
  }
}
