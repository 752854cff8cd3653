/** `baken apikey`: keys for machines from the command line. */
import type { Command } from 'commander';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../accounts/api-keys.js';
import { findOrganisation, listOrganisations } from '../accounts/organisations.js';
import { KEY_ROLES } from '../accounts/roles.js';
import { presentApiKey } from '../api/presenters.js';
import { cliCaller } from '../platform/context.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerApiKey(program: Command): void {
  const key = program.command('apikey').description('manage API keys');

  key
    .command('create')
    .description('create an API key; the key is printed once and never again')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--role <role>', KEY_ROLES.join(', '))
    .option('--label <label>', 'what the key is for')
    .option('--expires <date>', 'expiry, YYYY-MM-DD (end of that day, UTC) or an ISO timestamp')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; role: string; label?: string; expires?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const org = await findOrganisation(ctx, opts.org);
        const { apiKey, secret } = await createApiKey(ctx, cliCaller('apikey create'), { organisationId: org.id, role: opts.role, label: opts.label ?? null, expires: opts.expires ?? null });
        if (opts.json) return printJson({ ...presentApiKey(apiKey, ctx.clock.now()), key: secret });
        process.stdout.write(`created API key ${apiKey.id} for ${org.name} (${apiKey.role}${apiKey.expiresAt ? `, expires ${apiKey.expiresAt}` : ''})\n`);
        process.stdout.write(`${secret}\n`);
        process.stderr.write('This key is shown once. Store it now; Baken keeps only its fingerprint.\n');
      });
    });

  key
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--org <org>', 'only keys of this organisation (id or name)')
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { org?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const orgs = new Map((await listOrganisations(ctx)).map((o) => [o.id, o.name]));
        const filter = opts.org ? { organisationId: (await findOrganisation(ctx, opts.org)).id } : {};
        const now = ctx.clock.now();
        const list = (await listApiKeys(ctx, filter)).map((k) => presentApiKey(k, now));
        if (opts.json) return list.forEach((k) => printJson(k));
        printTable(list.map((k) => ({ ...k, organisation: orgs.get(k.organisation_id), prefix: `${k.prefix}…` })), ['id', 'prefix', 'organisation', 'role', 'state', 'label', 'expires_at', 'last_used_at']);
      });
    });

  key
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<id>', 'the key id (see apikey list) or its prefix')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const match = await findApiKey(ctx, ref);
        const revoked = await revokeApiKey(ctx, cliCaller('apikey revoke'), match.id);
        if (opts.json) return printJson(presentApiKey(revoked, ctx.clock.now()));
        process.stdout.write(`revoked API key ${revoked.id} (${revoked.prefix}…)\n`);
      });
    });
}
