/**
 * `baken registry`: the network registry's data. `import-rpsl` loads RIPE database dumps, `status` shows what is
 * loaded. Other registry subcommands attach to the same group through {@link registryCommand}.
 */
import type { Command } from 'commander';
import { cliCaller } from '../platform/context.js';
import { importRpsl, type RpslImportProgress, type RpslImportSummary } from '../registry/rpsl/import-rpsl.js';
import { currentRpslSnapshot, type RpslSnapshotInfo } from '../registry/rpsl/rpsl-snapshots.js';
import { withContext } from './context.js';
import { printJson } from './output.js';

/** How many skipped objects the summary lists; the JSON summary has up to 100. */
const LISTED_SKIPS = 20;

/** The `registry` command group, created on first use, so several files can add subcommands to it. */
export function registryCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'registry') ?? program.command('registry').description('network registry data: RIPE database imports and status');
}

export function registerRegistry(program: Command): void {
  const registry = registryCommand(program);

  registry
    .command('import-rpsl')
    .description('import RIPE database split dumps (ripe.db.inetnum, ripe.db.inet6num, ripe.db.role, ripe.db.organisation, ripe.db.aut-num; plain or .gz) as the new snapshot')
    .argument('<file...>', 'dump files; all of them make one snapshot, which replaces the current one')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar, also on a terminal')
    .action(async (files: string[], opts: { json?: boolean; progress: boolean }) => {
      await withContext(async (ctx) => {
        const bar = opts.progress && process.stderr.isTTY ? new ProgressBar() : null;
        let summary: RpslImportSummary;
        try {
          summary = await importRpsl(ctx, files, { by: cliCaller('registry import-rpsl'), ...(bar ? { onProgress: (p) => bar.draw(p) } : {}) });
        } finally {
          bar?.done();
        }
        if (opts.json) return printJson(presentSummary(summary));
        process.stdout.write(formatSummary(summary));
      });
    });

  registry
    .command('status')
    .description('show the current RIPE database snapshot and the date of its data')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const snap = await currentRpslSnapshot(ctx.db.kysely);
        if (opts.json) return printJson({ rpsl: snap ? presentSnapshot(snap) : null });
        if (!snap) {
          process.stdout.write('RIPE database: not imported (baken registry import-rpsl FILE... loads the dumps)\n');
          return;
        }
        const c = snap.counts;
        process.stdout.write(
          [
            `RIPE database: snapshot ${snap.id}, data of ${day(snap.dataDate)}, imported ${snap.finishedAt ?? snap.createdAt}`,
            `  inetnum ${num(c.inetnums)}, inet6num ${num(c.inet6nums)}, role ${num(c.roles)}, organisation ${num(c.organisations)}, aut-num ${num(c.autNums)}`,
            `  skipped ${num(c.skipped)} malformed object(s), ${num(c.invalidEmails)} invalid address(es)`,
            `  files: ${snap.files.map((f) => f.name).join(', ')}`,
          ].join('\n') + '\n',
        );
      });
    });
}

function presentSnapshot(s: RpslSnapshotInfo) {
  return {
    id: s.id,
    created_at: s.createdAt,
    finished_at: s.finishedAt,
    data_date: s.dataDate,
    inetnums: s.counts.inetnums,
    inet6nums: s.counts.inet6nums,
    roles: s.counts.roles,
    organisations: s.counts.organisations,
    aut_nums: s.counts.autNums,
    skipped: s.counts.skipped,
    invalid_emails: s.counts.invalidEmails,
    files: s.files,
  };
}

function presentSummary(s: RpslImportSummary) {
  return {
    snapshot_id: s.snapshotId,
    data_date: s.dataDate,
    files: s.files,
    objects_by_class: s.objectsByClass,
    imported: { inetnums: s.imported.inetnums, inet6nums: s.imported.inet6nums, roles: s.imported.roles, organisations: s.imported.organisations, aut_nums: s.imported.autNums },
    roles_without_abuse_mailbox: s.rolesWithoutAbuseMailbox,
    abuse_addresses: s.abuseAddresses,
    invalid_emails: s.invalidEmails,
    invalid_email_samples: s.invalidEmailSamples,
    skipped: s.skipped,
    skipped_by_reason: s.skippedByReason,
    skipped_samples: s.skippedSamples.map((k) => ({ file: k.file, line: k.line, error_line: k.errorLine, class: k.class, reason: k.reason, message: k.message })),
    replaced_snapshots: s.replacedSnapshots,
    duration_ms: s.durationMs,
    objects_per_second: s.objectsPerSecond,
  };
}

const num = (n: number) => n.toLocaleString('en-GB');
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'unknown date');

function formatSummary(s: RpslImportSummary): string {
  const lines: string[] = [];
  lines.push(`imported RIPE database snapshot ${s.snapshotId}, data of ${day(s.dataDate)}`);
  const i = s.imported;
  const rows: Array<[string, number, string]> = [
    ['inetnum', i.inetnums, ''],
    ['inet6num', i.inet6nums, ''],
    ['role', i.roles, s.rolesWithoutAbuseMailbox ? ` with an abuse-mailbox (${num(s.rolesWithoutAbuseMailbox)} without, not kept)` : ' with an abuse-mailbox'],
    ['organisation', i.organisations, ''],
    ['aut-num', i.autNums, ''],
  ];
  const width = Math.max(...rows.map((r) => num(r[1]).length));
  for (const [name, n, note] of rows) lines.push(`  ${name.padEnd(13)}${num(n).padStart(width)}${note}`);
  const others = Object.entries(s.objectsByClass).filter(([c]) => !['inetnum', 'inet6num', 'role', 'organisation', 'aut-num'].includes(c));
  if (others.length > 0) lines.push(`  other classes, not imported: ${others.map(([c, n]) => `${c} ${num(n)}`).join(', ')}`);
  lines.push(`contacts: ${num(s.abuseAddresses)} distinct abuse address(es)${s.invalidEmails ? `; ${num(s.invalidEmails)} invalid address(es) dropped` : ''}`);
  for (const e of s.invalidEmailSamples.slice(0, LISTED_SKIPS)) lines.push(`  ${e.file}:${e.line}: ${e.handle}: not an address: ${JSON.stringify(e.value)}`);
  if (s.skipped > 0) {
    lines.push(`skipped: ${num(s.skipped)} malformed object(s)`);
    for (const k of s.skippedSamples.slice(0, LISTED_SKIPS)) lines.push(`  ${k.file}:${k.errorLine}: ${k.reason}: ${k.message}${k.errorLine !== k.line ? ` (object at line ${k.line})` : ''}`);
    if (s.skipped > LISTED_SKIPS) lines.push(`  ... and ${num(s.skipped - LISTED_SKIPS)} more (--json lists the first 100)`);
  } else lines.push('skipped: none');
  if (s.replacedSnapshots.length > 0) lines.push(`replaced snapshot ${s.replacedSnapshots.join(', ')}`);
  lines.push(`took ${(s.durationMs / 1000).toFixed(1)} s (${num(s.objectsPerSecond)} objects/s)`);
  return lines.join('\n') + '\n';
}

/** One line on stderr, redrawn in place: file, bar, bytes read, objects and objects per second. */
class ProgressBar {
  private drawn = false;

  draw(p: RpslImportProgress): void {
    const width = 24;
    const frac = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const filled = Math.round(frac * width);
    const rate = p.elapsedMs > 0 ? Math.round((p.objects * 1000) / p.elapsedMs) : 0;
    const line =
      `${p.file} (${p.fileIndex + 1}/${p.fileCount}) [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ` +
      `${mb(p.bytesRead)}/${mb(p.totalBytes)}  ${num(p.objects)} objects  ${num(rate)} objects/s`;
    process.stderr.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write('\n');
  }
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
