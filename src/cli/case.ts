/** `baken case`: hotline cases from the command line (create with hosts, show, validate, close). */
import { createReadStream, existsSync } from 'node:fs';
import { BakenError } from '../platform/errors.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { presentCase } from '../api/presenters.js';
import { cliCaller } from '../platform/context.js';
import { closeCase, createCase, getCase, validateCase, type Case } from '../hotline/cases/cases.js';
import { createCaseWithHosts, parseHostFormat } from '../hotline/cases/upload-hosts.js';
import { warninglistsIn } from '../hotline/cases/upload-warninglists.js';
import type { UploadResult } from '../hotline/cases/case-hosts.js';
import { recipientsOf } from '../hotline/cases/recipients.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

/** The `case` group, shared with the other case commands. */
function caseCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'case') ?? program.command('case').description('hotline cases');
}

function printCase(c: Case): void {
  const h = c.hosts;
  process.stdout.write(
    [
      `${c.caseId}  ${c.state}  ${c.title}`,
      `classification: ${c.classification}${c.cves.length > 0 ? `  CVEs: ${c.cves.join(' ')}` : ''}`,
      ...(c.product ? [`product: ${c.product}${c.versions ? ` (${c.versions})` : ''}`] : []),
      ...(c.primaryCaseId ? [`duplicate of: ${c.primaryCaseId}`] : []),
      `hosts: ${h.total} (in scope ${h.inScope}, out of scope ${h.outOfScope}, without contact ${h.noContact}); rejected lines: ${c.rejectedLines}`,
      `handlers: ${c.handlers.map((x) => x.email).join(', ') || '(none)'}`,
      `created: ${c.createdAt} by ${c.createdBy ?? '?'}${c.closedAt ? `; closed ${c.closedAt}` : ''}`,
    ].join('\n') + '\n',
  );
}

export function registerCase(program: Command): void {
  const cmd = caseCommand(program);

  cmd
    .command('create')
    .description('open a case, optionally with its affected hosts; prints the case id')
    .requiredOption('--title <title>', 'what the case is about')
    .option('--description <text>', 'the description')
    .option('--classification <class/type>', 'ENISA/RSIT classification, e.g. vulnerable/vulnerable-system', 'other/other')
    .option('--cve <ids>', 'CVE ids, comma-separated')
    .option('--product <name>', 'affected product')
    .option('--versions <text>', 'affected versions')
    .option('--hosts <file>', 'affected hosts: a file, or - for standard input (plain, CSV, Shadowserver CSV, IntelMQ JSON lines; gzip allowed)')
    .option('--format <format>', 'auto, ips, csv, shadowserver or intelmq', 'auto')
    .option('--strict', 'refuse the hosts file if any line is not a valid host')
    .option('--warninglists <dir>', 'MISP warninglists that flag known false positives (overrides BAKEN_WARNINGLISTS_DIR)')
    .option('--json', 'print JSON')
    .action(async (opts: { title: string; description?: string; classification: string; cve?: string; product?: string; versions?: string; hosts?: string; format: string; strict?: boolean; warninglists?: string; json?: boolean }) => {
      const format = parseHostFormat(opts.format);
      const by = cliCaller('case create');
      await withContext(async (ctx) => {
        const input = { title: opts.title, description: opts.description ?? '', classification: opts.classification, cves: opts.cve ? opts.cve.split(',') : [], product: opts.product ?? null, versions: opts.versions ?? null };
        let c: Case;
        let upload: UploadResult | null = null;
        if (opts.hosts) {
          if (opts.hosts !== '-' && !existsSync(opts.hosts)) throw new BakenError('BAD_INPUT', { detail: `--hosts: no such file: ${opts.hosts}` });
          const stream = opts.hosts === '-' ? process.stdin : createReadStream(opts.hosts);
          const source = opts.hosts === '-' ? 'stdin' : basename(opts.hosts);
          let warninglists;
          if (opts.warninglists) {
            if (!existsSync(opts.warninglists)) throw new BakenError('BAD_INPUT', { detail: `--warninglists: no such directory: ${opts.warninglists}` });
            ({ lists: warninglists } = await warninglistsIn(opts.warninglists));
          }
          ({ case: c, upload } = await createCaseWithHosts(ctx, by, input, stream, { format, strict: opts.strict === true, source, state: 'triage', ...(warninglists ? { warninglists } : {}) }));
        } else {
          c = await createCase(ctx, by, input, 'triage');
        }
        if (opts.json) return printJson({ ...presentCase(await getCase(ctx, c.caseId)), upload: upload ? { stored: upload.stored, in_scope: upload.inScope, out_of_scope: upload.outOfScope, no_contact: upload.noContact, recipients: upload.recipients, rejected: upload.summary.rejected, flagged: upload.summary.flagged, format: upload.summary.format } : null });
        if (upload) {
          process.stderr.write(
            `${upload.stored} hosts (${upload.summary.format}): ${upload.inScope} in scope for ${upload.recipients} recipients, ${upload.outOfScope} out of scope, ${upload.noContact} without contact; ${upload.summary.rejected} lines rejected${upload.summary.flagged > 0 ? `; ${upload.summary.flagged} on a warninglist` : ''}\n`,
          );
          for (const r of upload.rejected.slice(0, 10)) process.stderr.write(`  line ${r.line}: ${r.reason}\n`);
        }
        process.stdout.write(`${c.caseId}\n`);
      });
    });

  cmd
    .command('show')
    .description('show a case: state, counts, handlers, recipients')
    .argument('<id>', 'the case id, e.g. BKN-2026-00001')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const c = await getCase(ctx, id);
        const recipients = await recipientsOf(ctx, c.caseId);
        if (opts.json) return printJson({ ...presentCase(c), recipients: recipients.map((r) => ({ recipient: r.recipient, operator: r.operator, contact_source: r.contactSource, hosts: r.hosts })) });
        printCase(c);
        if (recipients.length > 0) {
          process.stdout.write('\n');
          printTable(recipients.map((r) => ({ recipient: r.recipient, operator: r.operator?.name ?? '', source: r.contactSource ?? '', hosts: r.hosts })), ['recipient', 'operator', 'source', 'hosts']);
        }
      });
    });

  for (const [name, change, describe] of [
    ['validate', validateCase, 'mark a received or triaged case as validated (real, to be notified)'],
    ['close', closeCase, 'close a validated or notifying case'],
  ] as const) {
    cmd
      .command(name)
      .description(describe)
      .argument('<id>', 'the case id')
      .option('--reason <text>', 'why, for the timeline')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
        await withContext(async (ctx) => {
          const c = await change(ctx, cliCaller(`case ${name}`), id, opts.reason ?? null);
          if (opts.json) return printJson(presentCase(c));
          process.stdout.write(`${c.caseId} is ${c.state}\n`);
        });
      });
  }
}
