/** `baken org`: organisations from the command line. */
import type { Command } from 'commander';
import { createOrganisation, listOrganisations } from '../accounts/organisations.js';
import { ORGANISATION_KINDS, type OrganisationKind } from '../accounts/roles.js';
import { SECTOR_CODES } from '../accounts/sectors.js';
import { presentOrganisation } from '../api/presenters.js';
import { cliCaller } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

function kindOf(raw: string | undefined): OrganisationKind | undefined {
  if (raw === undefined) return undefined;
  if (!(ORGANISATION_KINDS as readonly string[]).includes(raw)) throw invalid('--kind', `must be one of ${ORGANISATION_KINDS.join(', ')}`);
  return raw as OrganisationKind;
}

export function registerOrg(program: Command): void {
  const org = program.command('org').description('manage organisations');

  org
    .command('create')
    .description('create a member organisation or a network operator')
    .requiredOption('--name <name>', 'the organisation name')
    .requiredOption('--kind <kind>', 'member or operator')
    .option('--sector <sector>', `for members: ${SECTOR_CODES.join(', ')}`)
    .option('--language <lang>', 'en or nl', 'en')
    .option('--notes <text>', 'free notes')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; kind: string; sector?: string; language: string; notes?: string; json?: boolean }) => {
      const kind = kindOf(opts.kind)!;
      if (kind === 'coordinator') throw invalid('--kind', 'the coordinator is created on first start; use member or operator');
      if (opts.language !== 'en' && opts.language !== 'nl') throw invalid('--language', 'must be en or nl');
      await withContext(async (ctx) => {
        const o = await createOrganisation(ctx, cliCaller('org create'), { name: opts.name, kind, sector: opts.sector ?? null, language: opts.language as 'en' | 'nl', notes: opts.notes ?? null });
        if (opts.json) return printJson(presentOrganisation(o));
        process.stdout.write(`created organisation ${o.id}: ${o.name} (${o.kind}${o.sector ? `, ${o.sector}` : ''})\n`);
      });
    });

  org
    .command('list')
    .description('list organisations')
    .option('--kind <kind>', 'only this kind')
    .option('--sector <sector>', 'only this sector')
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { kind?: string; sector?: string; json?: boolean }) => {
      const kind = kindOf(opts.kind);
      await withContext(async (ctx) => {
        const list = await listOrganisations(ctx, { ...(kind ? { kind } : {}), ...(opts.sector ? { sector: opts.sector } : {}) });
        if (opts.json) return list.forEach((o) => printJson(presentOrganisation(o)));
        printTable(list.map(presentOrganisation), ['id', 'name', 'kind', 'sector', 'language']);
      });
    });
}
