/**
 * The contract between host intake (parsing an upload of affected hosts) and
 * the cases that store them. Intake is pure: it reads text and yields events;
 * it never touches the database.
 */

/** Upload formats; `auto` recognises the others from the first lines. */
export type HostFormat = 'auto' | 'ips' | 'csv' | 'shadowserver' | 'intelmq';

/** Which CSV columns mean what (the mapping step for plain CSV with a header). */
export interface CsvMapping {
  ip: string;
  port?: string | null;
  timestamp?: string | null;
  /** Further columns kept per host, shown to operators in their attachment. */
  extra?: string[];
}

/** One affected host as a case stores it. */
export interface IntakeHost {
  /** Canonical address (RFC 5952 for IPv6; IPv4-mapped IPv6 given as IPv4). */
  ip: string;
  port: number | null;
  /** ISO 8601 UTC, when the researcher saw it; null when the upload has none. */
  timestamp: string | null;
  /** Extra columns by name (Shadowserver and IntelMQ `extra.*` fields, mapped CSV columns). */
  extra: Record<string, string>;
  /** The line it came from (the first one, for duplicates). */
  line: number;
  /** Names of MISP warninglists that list this address (known false positives): flagged, not rejected. */
  warnings: string[];
}

/** A line that did not become a host, and why; the upload goes on. */
export interface RejectedLine {
  line: number;
  /** The field at fault when there is one (`ip`, `port`, `timestamp`, a JSON key). */
  field: string | null;
  /** A sentence for the researcher and the handler, e.g. `10.0.0.1 is private address space (RFC 1918)`. */
  reason: string;
  /** The line as uploaded, cut to 500 characters. */
  text: string;
}

/** What a finished intake reports. */
export interface IntakeSummary {
  format: Exclude<HostFormat, 'auto'>;
  lines: number;
  hosts: number;
  duplicates: number;
  rejected: number;
  flagged: number;
  /** The extra column names in the order they first appeared. */
  extraColumns: string[];
  /**
   * Of `rejected`, how many were reported in full (as `rejected` events); the rest are only counted, so a garbage
   * upload cannot fill memory with its own rejections. Added by intake (optional so hand-made summaries stay valid).
   */
  rejectedKept?: number;
  /** The header's column names for `csv` and `shadowserver`, null for the other formats. Added by intake. */
  columns?: string[] | null;
}

/**
 * What {@link readHosts} yields: hosts and rejected lines one at a time, in line order, and last, exactly once,
 * the summary (when the upload had at least one valid host; otherwise it throws).
 */
export type IntakeEvent =
  | { kind: 'host'; host: IntakeHost }
  | { kind: 'rejected'; rejected: RejectedLine }
  | { kind: 'summary'; summary: IntakeSummary };

/**
 * What {@link readHostBatches} yields: the same as {@link IntakeEvent} in batches (one per piece of input read), for
 * consumers that handle many hosts at once: an async generator costs about 0.2 us per yield, which is more than the
 * parsing of a plain address.
 */
export type IntakeBatchEvent =
  | { kind: 'hosts'; hosts: IntakeHost[] }
  | { kind: 'rejected-lines'; rejected: RejectedLine[] }
  | { kind: 'summary'; summary: IntakeSummary };
