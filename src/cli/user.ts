/** `baken user`: people from the command line. */
import type { Command } from 'commander';
import { ensureCoordinator } from '../accounts/bootstrap.js';
import { findOrganisation, listOrganisations } from '../accounts/organisations.js';
import { USER_ROLES } from '../accounts/roles.js';
import { createUser, findUser, listUsers, setPassword } from '../accounts/users.js';
import { presentUser } from '../api/presenters.js';
import { cliCaller } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage users');

  user
    .command('create')
    .description('create a user; without --password one is generated and printed once')
    .requiredOption('--email <email>', 'login email address')
    .requiredOption('--role <role>', USER_ROLES.join(', '))
    .option('--org <org>', 'organisation id or name (default: the coordinator; required for members)')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'initial password (at least 12 characters)')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; role: string; org?: string; name?: string; password?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        let organisationId: number;
        if (opts.org) organisationId = (await findOrganisation(ctx, opts.org)).id;
        else if (opts.role === 'member') throw invalid('--org', 'a member user needs the member organisation it belongs to');
        else organisationId = (await ensureCoordinator(ctx, cliCaller('user create'))).id;
        const { user: u, generatedPassword } = await createUser(ctx, cliCaller('user create'), {
          email: opts.email,
          role: opts.role,
          organisationId,
          name: opts.name ?? null,
          password: opts.password ?? null,
        });
        if (opts.json) return printJson({ ...presentUser(u), generated_password: generatedPassword });
        process.stdout.write(`created user ${u.id}: ${u.email} (${u.role})\n`);
        if (generatedPassword) process.stdout.write(`password: ${generatedPassword}   (shown once)\n`);
      });
    });

  user
    .command('list')
    .description('list users')
    .option('--org <org>', 'only users of this organisation (id or name)')
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { org?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const orgs = new Map((await listOrganisations(ctx)).map((o) => [o.id, o.name]));
        const filter = opts.org ? { organisationId: (await findOrganisation(ctx, opts.org)).id } : {};
        const list = await listUsers(ctx, filter);
        if (opts.json) return list.forEach((u) => printJson(presentUser(u)));
        printTable(
          list.map((u) => ({ ...presentUser(u), organisation: orgs.get(u.organisationId), state: u.disabled ? 'disabled' : 'active' })),
          ['id', 'email', 'role', 'organisation', 'state', 'last_login_at'],
        );
      });
    });

  user
    .command('set-password')
    .description("set a user's password and end their sessions; without --password one is generated and printed once")
    .argument('<user>', 'user id or email address')
    .option('--password <password>', 'the new password (at least 12 characters)')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { password?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const u = await findUser(ctx, ref);
        const { generatedPassword } = await setPassword(ctx, cliCaller('user set-password'), u.id, opts.password);
        if (opts.json) return printJson({ id: u.id, email: u.email, generated_password: generatedPassword });
        process.stdout.write(`password set for ${u.email}\n`);
        if (generatedPassword) process.stdout.write(`password: ${generatedPassword}   (shown once)\n`);
      });
    });
}
