/**
 * Imports RIPE database split dumps into a new RPSL snapshot. Everything happens in one transaction: the snapshot,
 * its rows (written in batches), the removal of the older snapshots and the audit entry land together, or, when
 * anything fails, not at all and the previous snapshot stays current.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { audit } from '../../platform/audit.js';
import { SYSTEM, type Caller, type Context } from '../../platform/context.js';
import type { DialectName } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { BakenError } from '../../platform/errors.js';
import { cleanAbuseEmails } from '../abuse-emails.js';
import { isRipeNccMaintained } from './ripe-ncc.js';
import { openRpslFile, rpslValue, rpslValues, type RpslFile, type RpslObject, type RpslSkipped, type RpslSkipReason } from './rpsl-reader.js';

/** The classes an import reads; objects of other classes in the files are counted and passed over. */
export const RPSL_IMPORT_CLASSES = ['inetnum', 'inet6num', 'role', 'organisation', 'aut-num'] as const;

const WANTED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'netname',
  'country',
  'status',
  'org',
  'abuse-c',
  'mnt-by',
  'last-modified',
  'nic-hdl',
  'role',
  'abuse-mailbox',
  'org-name',
  'as-name',
]);

const BATCH_ROWS = 1000;
/** How many skipped objects and bad addresses a summary lists; the counts are always complete. */
const SAMPLE_LIMIT = 100;
/** An arbitrary constant: the PostgreSQL advisory lock that serialises imports. */
const IMPORT_LOCK = 7_262_001;

export interface RpslImportProgress {
  file: string;
  /** 0-based position of the file among those given. */
  fileIndex: number;
  fileCount: number;
  /** Bytes read of this file (compressed bytes for a .gz) and its size. */
  fileBytesRead: number;
  fileSize: number;
  /** Bytes read of all files so far and their total size. */
  bytesRead: number;
  totalBytes: number;
  /** Objects read so far, skipped ones included. */
  objects: number;
  elapsedMs: number;
}

export interface RpslImportOptions {
  onProgress?: (p: RpslImportProgress) => void;
  /** How often onProgress is called at most; default 200 ms. It is also called once at the end of every file. */
  progressIntervalMs?: number;
  /** Who imports, for the audit log; default the system. */
  by?: Caller;
}

export interface RpslImportedFile {
  name: string;
  size: number;
  compressed: boolean;
  modified: string;
  objects: number;
}

export interface RpslImportSummary {
  snapshotId: number;
  /** The date of the data (ISO-8601): the newest last-modified seen, else the newest file date. */
  dataDate: string | null;
  files: RpslImportedFile[];
  /** Objects read per class, also of classes that are not imported. */
  objectsByClass: Record<string, number>;
  imported: { inetnums: number; inet6nums: number; roles: number; organisations: number; autNums: number };
  /** Roles without a usable abuse-mailbox (not stored: nothing refers to them for abuse). */
  rolesWithoutAbuseMailbox: number;
  /** Distinct abuse addresses in the snapshot. */
  abuseAddresses: number;
  invalidEmails: number;
  /** The first bad addresses: where and what. */
  invalidEmailSamples: Array<{ file: string; line: number; handle: string; value: string }>;
  skipped: number;
  skippedByReason: Record<RpslSkipReason, number>;
  /** The first skipped objects (up to 100). */
  skippedSamples: RpslSkipped[];
  /** Snapshots this import replaced (now deleted). */
  replacedSnapshots: number[];
  durationMs: number;
  objectsPerSecond: number;
}

type NetworkRow = Omit<Database['rpsl_networks'], 'id'>;
type RoleRow = Omit<Database['rpsl_roles'], 'id'>;
type OrgRow = Omit<Database['rpsl_organisations'], 'id'>;
type AutNumRow = Omit<Database['rpsl_aut_nums'], 'id'>;

const LAST_MODIFIED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function upperOrNull(v: string | null): string | null {
  if (v === null) return null;
  const t = v.trim();
  return t === '' ? null : t.toUpperCase();
}

/** mnt-by may repeat and may list several maintainers on one line. */
function maintainers(object: RpslObject): string[] {
  const out: string[] = [];
  for (const v of rpslValues(object, 'mnt-by')) {
    for (const m of v.split(/[\s,]+/)) if (m !== '' && !out.includes(m.toUpperCase())) out.push(m.toUpperCase());
  }
  return out;
}

function hex(value: number | bigint, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/**
 * Imports the given dump files (plain or gzip, any of `ripe.db.inetnum`, `ripe.db.inet6num`, `ripe.db.role`,
 * `ripe.db.organisation`, `ripe.db.aut-num`, or one file with all of them) as the new current snapshot.
 *
 * @throws {BakenError} RPSL_UNREADABLE when a file cannot be opened or decompressed, RPSL_NOTHING_IMPORTED when no
 *   object of an imported class was found; in both cases the previous snapshot stays.
 * @example
 * const s = await importRpsl(ctx, ['ripe.db.inetnum.gz', 'ripe.db.role.gz', 'ripe.db.organisation.gz']);
 * console.log(s.imported.inetnums, s.dataDate);
 */
export async function importRpsl(ctx: Context, paths: readonly string[], options: RpslImportOptions = {}): Promise<RpslImportSummary> {
  if (paths.length === 0) throw new BakenError('RPSL_UNREADABLE', { detail: 'No files were given.' });
  const files: RpslFile[] = paths.map((p) => {
    try {
      return openRpslFile(p, { attributes: WANTED_ATTRIBUTES });
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new BakenError('RPSL_UNREADABLE', { detail: `${p}: ${why}`, cause: err });
    }
  });
  const started = Date.now();
  const interval = options.progressIntervalMs ?? 200;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);

  const summary: RpslImportSummary = {
    snapshotId: 0,
    dataDate: null,
    files: [],
    objectsByClass: {},
    imported: { inetnums: 0, inet6nums: 0, roles: 0, organisations: 0, autNums: 0 },
    rolesWithoutAbuseMailbox: 0,
    abuseAddresses: 0,
    invalidEmails: 0,
    invalidEmailSamples: [],
    skipped: 0,
    skippedByReason: { 'first-line-not-attribute': 0, 'not-an-attribute': 0, 'bad-primary-key': 0, 'object-too-large': 0 },
    skippedSamples: [],
    replacedSnapshots: [],
    durationMs: 0,
    objectsPerSecond: 0,
  };
  const addresses = new Set<string>();
  let newestModified: string | null = null;
  let objects = 0;
  let bytesBefore = 0;

  await ctx.db.kysely.transaction().execute(async (trx) => {
    if (ctx.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`.execute(trx);
    else await sql`pragma cache_size = -262144`.execute(trx);
    const now = ctx.clock.now().toISOString();
    const snap = await trx
      .insertInto('rpsl_snapshots')
      .values({ status: 'loading', created_at: now, finished_at: null, data_date: null, inetnums: 0, inet6nums: 0, roles: 0, organisations: 0, aut_nums: 0, skipped: 0, invalid_emails: 0, files: '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const snapshotId = Number(snap.id);
    summary.snapshotId = snapshotId;

    const writer = new BatchWriter(trx, ctx.db.dialect);
    for (const [fileIndex, file] of files.entries()) {
      let fileObjects = 0;
      let lastReport = 0;
      const report = () => {
        options.onProgress?.({
          file: file.name,
          fileIndex,
          fileCount: files.length,
          fileBytesRead: file.bytesRead(),
          fileSize: file.size,
          bytesRead: bytesBefore + file.bytesRead(),
          totalBytes,
          objects,
          elapsedMs: Date.now() - started,
        });
      };
      try {
        for await (const entry of file.entries()) {
          objects++;
          fileObjects++;
          if ((objects & 1023) === 0 && options.onProgress) {
            const t = Date.now();
            if (t - lastReport >= interval) {
              lastReport = t;
              report();
            }
          }
          if (entry.kind === 'skipped') {
            summary.skipped++;
            summary.skippedByReason[entry.reason]++;
            if (summary.skippedSamples.length < SAMPLE_LIMIT) summary.skippedSamples.push(entry);
            continue;
          }
          const cls = entry.class;
          summary.objectsByClass[cls] = (summary.objectsByClass[cls] ?? 0) + 1;
          const lm = rpslValue(entry, 'last-modified');
          if (lm !== null && LAST_MODIFIED.test(lm) && (newestModified === null || lm > newestModified)) newestModified = lm;

          if ((cls === 'inetnum' || cls === 'inet6num') && entry.key.kind === 'range') {
            const r = entry.key.range;
            const mntBy = maintainers(entry);
            await writer.network({
              snapshot_id: snapshotId,
              family: r.kind,
              first_key: r.kind === 'ipv4' ? hex(r.first, 8) : hex(r.first, 32),
              last_key: r.kind === 'ipv4' ? hex(r.last, 8) : hex(r.last, 32),
              netname: rpslValue(entry, 'netname'),
              country: upperOrNull(rpslValue(entry, 'country')),
              status: upperOrNull(rpslValue(entry, 'status')),
              org: upperOrNull(rpslValue(entry, 'org')),
              abuse_c: upperOrNull(rpslValue(entry, 'abuse-c')),
              mnt_by: JSON.stringify(mntBy),
              ripe_maintained: isRipeNccMaintained(mntBy) ? 1 : 0,
              last_modified: lm,
            });
            if (r.kind === 'ipv4') summary.imported.inetnums++;
            else summary.imported.inet6nums++;
          } else if (cls === 'role') {
            const { emails, invalid } = cleanAbuseEmails(rpslValues(entry, 'abuse-mailbox'));
            summary.invalidEmails += invalid.length;
            for (const value of invalid) {
              if (summary.invalidEmailSamples.length < SAMPLE_LIMIT) summary.invalidEmailSamples.push({ file: entry.file, line: entry.line, handle: entry.key.text, value });
            }
            if (emails.length === 0) {
              summary.rolesWithoutAbuseMailbox++;
              continue;
            }
            for (const e of emails) addresses.add(e);
            await writer.role({ snapshot_id: snapshotId, handle: entry.key.text, name: rpslValue(entry, 'role'), abuse_mailboxes: JSON.stringify(emails) });
            summary.imported.roles++;
          } else if (cls === 'organisation') {
            await writer.organisation({ snapshot_id: snapshotId, handle: entry.key.text, name: rpslValue(entry, 'org-name'), abuse_c: upperOrNull(rpslValue(entry, 'abuse-c')) });
            summary.imported.organisations++;
          } else if (cls === 'aut-num' && entry.key.kind === 'asn') {
            await writer.autNum({
              snapshot_id: snapshotId,
              asn: entry.key.asn,
              as_name: rpslValue(entry, 'as-name'),
              org: upperOrNull(rpslValue(entry, 'org')),
              abuse_c: upperOrNull(rpslValue(entry, 'abuse-c')),
            });
            summary.imported.autNums++;
          }
        }
      } catch (err) {
        if (err instanceof BakenError) throw err;
        const e = err as NodeJS.ErrnoException;
        // zlib and file-system errors name the file; database errors go up as they are.
        if (e.code?.startsWith('Z_') || e.errno !== undefined || e.syscall !== undefined) {
          throw new BakenError('RPSL_UNREADABLE', { detail: `${file.name}: ${e.message}`, cause: err });
        }
        throw err;
      }
      report();
      bytesBefore += file.size;
      summary.files.push({ name: file.name, size: file.size, compressed: file.compressed, modified: file.modified.toISOString(), objects: fileObjects });
    }
    await writer.flush();

    const i = summary.imported;
    if (i.inetnums + i.inet6nums + i.roles + i.organisations + i.autNums === 0) {
      const what = summary.skipped > 0 ? `${summary.skipped} malformed object(s) skipped` : `no ${RPSL_IMPORT_CLASSES.join(', ')} objects found`;
      throw new BakenError('RPSL_NOTHING_IMPORTED', { detail: `${paths.join(', ')}: ${what}.` });
    }

    const older = await trx.selectFrom('rpsl_snapshots').select('id').where('id', '<>', snapshotId).execute();
    summary.replacedSnapshots = older.map((r) => Number(r.id));
    if (older.length > 0) {
      for (const table of ['rpsl_networks', 'rpsl_roles', 'rpsl_organisations', 'rpsl_aut_nums'] as const) {
        await trx.deleteFrom(table).where('snapshot_id', '<>', snapshotId).execute();
      }
      await trx.deleteFrom('rpsl_snapshots').where('id', '<>', snapshotId).execute();
    }

    if (ctx.db.dialect === 'postgres') {
      // Fresh statistics, or the planner scans millions of rows per page when the snapshot is loaded.
      for (const table of ['rpsl_snapshots', 'rpsl_networks', 'rpsl_roles', 'rpsl_organisations', 'rpsl_aut_nums']) await sql`analyze ${sql.table(table)}`.execute(trx);
    }

    const fileDate = files.reduce<Date | null>((d, f) => (d === null || f.modified > d ? f.modified : d), null);
    summary.dataDate = newestModified !== null ? new Date(newestModified).toISOString() : (fileDate?.toISOString() ?? null);
    summary.abuseAddresses = addresses.size;
    await trx
      .updateTable('rpsl_snapshots')
      .set({
        status: 'current',
        finished_at: ctx.clock.now().toISOString(),
        data_date: summary.dataDate,
        inetnums: i.inetnums,
        inet6nums: i.inet6nums,
        roles: i.roles,
        organisations: i.organisations,
        aut_nums: i.autNums,
        skipped: summary.skipped,
        invalid_emails: summary.invalidEmails,
        files: JSON.stringify(summary.files.map(({ objects: _objects, ...f }) => f)),
      })
      .where('id', '=', snapshotId)
      .execute();
    await audit(trx, ctx.clock, options.by ?? SYSTEM, {
      action: 'registry.import_rpsl',
      target: { type: 'rpsl_snapshot', id: snapshotId },
      details: { files: summary.files.map((f) => f.name), data_date: summary.dataDate, imported: i, skipped: summary.skipped, replaced: summary.replacedSnapshots },
    });
  });

  summary.durationMs = Date.now() - started;
  summary.objectsPerSecond = summary.durationMs > 0 ? Math.round((objects * 1000) / summary.durationMs) : objects;
  return summary;
}

/**
 * Collects rows per table and inserts them a batch at a time. The statements are written by hand rather than built
 * with Kysely's query builder: for millions of rows the builder's per-value nodes cost more than the database. On
 * SQLite a multi-row VALUES list; on PostgreSQL one array per column through unnest(), which parses and plans once
 * per batch however many rows it holds.
 */
class BatchWriter {
  private readonly tables: Record<TableName, { rows: unknown[][]; columns: readonly string[] }>;

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {
    this.tables = {
      rpsl_networks: { rows: [], columns: NETWORK_COLUMNS },
      rpsl_roles: { rows: [], columns: ROLE_COLUMNS },
      rpsl_organisations: { rows: [], columns: ORG_COLUMNS },
      rpsl_aut_nums: { rows: [], columns: AUT_NUM_COLUMNS },
    };
  }

  async network(row: NetworkRow): Promise<void> {
    await this.add('rpsl_networks', [row.snapshot_id, row.family, row.first_key, row.last_key, row.netname, row.country, row.status, row.org, row.abuse_c, row.mnt_by, row.ripe_maintained, row.last_modified]);
  }
  async role(row: RoleRow): Promise<void> {
    await this.add('rpsl_roles', [row.snapshot_id, row.handle, row.name, row.abuse_mailboxes]);
  }
  async organisation(row: OrgRow): Promise<void> {
    await this.add('rpsl_organisations', [row.snapshot_id, row.handle, row.name, row.abuse_c]);
  }
  async autNum(row: AutNumRow): Promise<void> {
    await this.add('rpsl_aut_nums', [row.snapshot_id, row.asn, row.as_name, row.org, row.abuse_c]);
  }

  async flush(): Promise<void> {
    for (const table of Object.keys(this.tables) as TableName[]) await this.flushTable(table);
  }

  private async add(table: TableName, values: unknown[]): Promise<void> {
    if (this.tables[table].rows.push(values) >= BATCH_ROWS) await this.flushTable(table);
  }

  private async flushTable(table: TableName): Promise<void> {
    const t = this.tables[table];
    if (t.rows.length === 0) return;
    const rows = t.rows;
    t.rows = [];
    const cols = t.columns;
    if (this.dialect === 'postgres') {
      const arrays = cols.map((_, c) => rows.map((r) => r[c]));
      const types = cols.map((c) => PG_TYPES[c] ?? 'text');
      const text = `insert into ${table} (${cols.join(', ')}) select * from unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')})`;
      await this.trx.executeQuery(CompiledQuery.raw(text, arrays));
    } else {
      const params: unknown[] = [];
      for (const r of rows) for (const v of r) params.push(v);
      await this.trx.executeQuery(CompiledQuery.raw(sqliteInsert(table, cols, rows.length), params));
    }
  }
}

const sqliteInserts = new Map<string, string>();
/** `insert ... values (?, ...), ...` for n rows, kept: all batches but the last have the same size. */
function sqliteInsert(table: TableName, cols: readonly string[], n: number): string {
  const key = `${table}/${n}`;
  let text = sqliteInserts.get(key);
  if (text === undefined) {
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    text = `insert into ${table} (${cols.join(', ')}) values ${Array.from({ length: n }, () => tuple).join(', ')}`;
    if (n === BATCH_ROWS) sqliteInserts.set(key, text);
  }
  return text;
}

type TableName = 'rpsl_networks' | 'rpsl_roles' | 'rpsl_organisations' | 'rpsl_aut_nums';
const NETWORK_COLUMNS = ['snapshot_id', 'family', 'first_key', 'last_key', 'netname', 'country', 'status', 'org', 'abuse_c', 'mnt_by', 'ripe_maintained', 'last_modified'] as const;
const ROLE_COLUMNS = ['snapshot_id', 'handle', 'name', 'abuse_mailboxes'] as const;
const ORG_COLUMNS = ['snapshot_id', 'handle', 'name', 'abuse_c'] as const;
const AUT_NUM_COLUMNS = ['snapshot_id', 'asn', 'as_name', 'org', 'abuse_c'] as const;
/** PostgreSQL array element types of the non-text columns. */
const PG_TYPES: Record<string, string> = { snapshot_id: 'bigint', asn: 'bigint', ripe_maintained: 'integer' };
