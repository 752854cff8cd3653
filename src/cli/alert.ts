/** `baken alert`: the hub's alerts for the coordinator's operators (list; publish a draft composed on a page or by the API). */
import type { Command } from 'commander';
import { presentAlertListItem, presentAlertPreview } from '../api/alert-presenters.js';
import { ALERT_STATES, listAlerts, publishAlert, type AlertState } from '../hub/alerts/index.js';
import { cliCaller } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerAlert(program: Command): void {
  const alert = program.command('alert').description('alerts to the members of the detection network');

  alert
    .command('list')
    .description('alerts, newest first (drafts, published and retracted)')
    .option('--state <state>', `only this state (${ALERT_STATES.join(', ')})`)
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { state?: string; json?: boolean }) => {
      if (opts.state && !(ALERT_STATES as readonly string[]).includes(opts.state)) throw invalid('--state', `one of ${ALERT_STATES.join(', ')}`);
      await withContext(async (ctx) => {
        // The CLI acts as the system, which the TLP policy treats as staff: RED alerts show only to the people named.
        const list = (await listAlerts(ctx, { kind: 'staff', role: 'admin', userId: null }, opts.state ? { state: opts.state as AlertState } : {})).map(presentAlertListItem);
        if (opts.json) return list.forEach((a) => printJson(a));
        printTable(
          list.map((a) => ({ id: a.id, state: a.state, version: a.version, tlp: a.tlp, severity: a.severity, audience: a.audience_kind, published: a.published_at ?? '', title: a.title })),
          ['id', 'state', 'version', 'tlp', 'severity', 'audience', 'published', 'title'],
        );
      });
    });

  alert
    .command('publish <id>')
    .description('publish a draft: email to every alert contact and a signed webhook call per member, queued at once')
    .option('--confirm-flagged', 'publish also indicators that are on a MISP warninglist (known false positives)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean; confirmFlagged?: boolean }) => {
      if (!/^\d{1,12}$/.test(id)) throw invalid('id', 'an alert id (a number)');
      await withContext(async (ctx) => {
        const r = await publishAlert(ctx, cliCaller('alert publish'), Number(id), { confirmFlagged: opts.confirmFlagged === true });
        if (opts.json) return printJson({ id: r.alert.id, state: r.alert.state, version: r.alert.version, preview: presentAlertPreview(r.preview) });
        const t = r.preview.totals;
        process.stdout.write(`published alert ${r.alert.id} (TLP:${r.alert.tlp}) to ${t.organisations} organisation(s)${r.preview.people.length ? ` and ${r.preview.people.length} named person(s)` : ''}: ${t.emails + r.preview.people.length} email(s) and ${t.webhooks} webhook call(s) queued\n`);
      });
    });
}
