/** `baken member`: a member organisation's alert contacts, webhook and admins, for the coordinator's operators. */
import type { Command } from 'commander';
import { findOrganisation } from '../accounts/organisations.js';
import { findUser } from '../accounts/users.js';
import { presentContact, presentMemberSummary, presentWebhook } from '../api/member-presenters.js';
import { addContact, clearWebhook, getMemberProfile, listMembers, removeContact, rotateWebhookSecret, setOrgAdmin, setWebhook } from '../hub/members/index.js';
import { cliCaller, type Context } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

async function memberId(ctx: Context, ref: string): Promise<number> {
  return (await findOrganisation(ctx, ref)).id;
}

function printSecret(secret: string): void {
  process.stdout.write(`secret: ${secret}\n(shown once: give it to the member for its receiver; see docs/webhooks.md)\n`);
}

export function registerMember(program: Command): void {
  const member = program.command('member').description('member organisations of the detection network: contacts, webhook, admins');

  member
    .command('list')
    .description('every member organisation with its contacts, webhook and admins in brief')
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const list = (await listMembers(ctx)).map(presentMemberSummary);
        if (opts.json) return list.forEach((m) => printJson(m));
        printTable(
          list.map((m) => ({ id: m.organisation.id, name: m.organisation.name, sector: m.organisation.sector, contacts: m.contacts, webhook: m.has_webhook ? 'yes' : '', admins: m.admins, delivery: m.preferences.delivery })),
          ['id', 'name', 'sector', 'contacts', 'webhook', 'admins', 'delivery'],
        );
      });
    });

  const contact = member.command('contact').description('alert contacts (email addresses) of a member organisation');
  contact
    .command('add <org> <email>')
    .description('add an alert contact (ORG: id or name)')
    .option('--language <lang>', 'en or nl (default: the organisation’s language)')
    .option('--json', 'print JSON')
    .action(async (org: string, email: string, opts: { language?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const c = await addContact(ctx, cliCaller('member contact add'), await memberId(ctx, org), { email, language: opts.language ?? null });
        if (opts.json) return printJson(presentContact(c));
        process.stdout.write(`added contact ${c.id}: ${c.email} (${c.language})\n`);
      });
    });
  contact
    .command('list <org>')
    .description('list the alert contacts')
    .option('--json', 'print JSON, one object per line')
    .action(async (org: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const profile = await getMemberProfile(ctx, await memberId(ctx, org));
        const rows = profile.contacts.map(presentContact);
        if (opts.json) return rows.forEach((r) => printJson(r));
        printTable(rows, ['id', 'email', 'language', 'created_at']);
      });
    });
  contact
    .command('remove <org> <contact>')
    .description('remove an alert contact (CONTACT: id or email address)')
    .action(async (org: string, ref: string) => {
      await withContext(async (ctx) => {
        const c = await removeContact(ctx, cliCaller('member contact remove'), await memberId(ctx, org), ref);
        process.stdout.write(`removed contact ${c.email}\n`);
      });
    });

  const webhook = member.command('webhook').description('the webhook of a member organisation');
  webhook
    .command('set <org> <url>')
    .description('set the webhook URL; a first webhook gets a secret, printed once')
    .option('--json', 'print JSON')
    .action(async (org: string, url: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const r = await setWebhook(ctx, cliCaller('member webhook set'), await memberId(ctx, org), url);
        if (opts.json) return printJson({ webhook: presentWebhook(r.webhook), secret: r.secret });
        process.stdout.write(`webhook: ${r.webhook.url}\n`);
        if (r.secret) printSecret(r.secret);
        else process.stdout.write(`secret unchanged (${r.webhook.secretHint}); rotate it with: baken member webhook rotate ${org}\n`);
      });
    });
  webhook
    .command('rotate <org>')
    .description('make a new webhook secret, printed once; queued calls are re-signed with it')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const r = await rotateWebhookSecret(ctx, cliCaller('member webhook rotate'), await memberId(ctx, org));
        if (opts.json) return printJson({ webhook: presentWebhook(r.webhook), secret: r.secret });
        printSecret(r.secret);
      });
    });
  webhook
    .command('clear <org>')
    .description('remove the webhook')
    .action(async (org: string) => {
      await withContext(async (ctx) => {
        await clearWebhook(ctx, cliCaller('member webhook clear'), await memberId(ctx, org));
        process.stdout.write('webhook removed\n');
      });
    });

  const admin = member.command('admin').description('member users who manage their own organisation’s contacts, webhook and preferences');
  for (const [name, on] of [['grant', true], ['revoke', false]] as const) {
    admin
      .command(`${name} <user>`)
      .description(on ? 'make a member user an admin of its organisation (USER: id or email)' : 'take the admin rights away')
      .action(async (ref: string) => {
        await withContext(async (ctx) => {
          const user = await findUser(ctx, ref);
          if (user.role !== 'member') throw invalid('user', `${user.email} is ${user.role}, not a member user`);
          await setOrgAdmin(ctx, cliCaller(`member admin ${name}`), user.id, on);
          process.stdout.write(`${user.email} ${on ? 'is now an admin of' : 'no longer administers'} its organisation\n`);
        });
      });
  }
}
