/** `baken case notify`: start (or with --dry-run, preview) a notification round of a hotline case. */
import type { Command } from 'commander';
import { previewRound, startRound, TLPS } from '../hotline/notifications/rounds.js';
import type { Tlp } from '../hotline/notifications/default-templates.js';
import { cliCaller } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

/** The `case` group, shared with the other case commands. */
export function caseCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'case') ?? program.command('case').description('hotline cases');
}

export function registerCaseNotify(program: Command): void {
  caseCommand(program)
    .command('notify')
    .description('notify the operators of a validated case: one email per recipient with only its hosts')
    .argument('<id>', 'the case id, e.g. BKN-2026-00001')
    .option('--dry-run', 'show what would be sent (recipients, counts, a sample message) and send nothing')
    .option('--followup', 'a follow-up after a re-scan: only hosts of the latest upload that were notified before')
    .option('--upload <id>', 'with --followup: the re-scan upload (default: the latest)')
    .option('--tlp <tlp>', `TLP of the notification: ${TLPS.join(', ')}`, 'AMBER')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { dryRun?: boolean; followup?: boolean; upload?: string; tlp: string; json?: boolean }) => {
      const tlp = opts.tlp.toUpperCase();
      if (!(TLPS as readonly string[]).includes(tlp)) throw invalid('--tlp', `must be one of ${TLPS.join(', ')}`);
      if (opts.upload !== undefined && !/^\d+$/.test(opts.upload)) throw invalid('--upload', 'must be an upload id (a number)');
      const options = { kind: opts.followup ? ('followup' as const) : ('first' as const), tlp: tlp as Tlp, ...(opts.upload ? { uploadId: Number(opts.upload) } : {}) };
      await withContext(async (ctx) => {
        if (opts.dryRun) {
          const p = await previewRound(ctx, id, options);
          if (opts.json) return printJson(p);
          process.stdout.write(`${p.caseId}: round ${p.number} (${p.kind}) would send ${p.messages} messages about ${p.hosts} hosts, TLP:${p.tlp}\n`);
          if (p.hostsWithoutContact > 0) process.stdout.write(`${p.hostsWithoutContact} hosts in scope have no contact and would not be notified\n`);
          printTable(p.recipients.map((r) => ({ recipient: r.recipient, operator: r.operatorName, language: r.language, hosts: r.hosts })), ['recipient', 'operator', 'language', 'hosts']);
          if (p.sample) process.stdout.write(`\n--- sample to ${p.sample.to}\nSubject: ${p.sample.subject}\n\n${p.sample.text}\n`);
          return;
        }
        const r = await startRound(ctx, cliCaller('case notify'), id, options);
        if (opts.json) return printJson(r);
        process.stdout.write(`round ${r.number}: ${r.messages} messages about ${r.hosts} hosts queued; \`baken worker\` or a running server delivers them\n`);
      });
    });
}
