/** `baken case publish`: publish (or withdraw) the public page of a hotline case. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { publishCase, unpublishCase } from '../hotline/publication/publication.js';
import { cliCaller } from '../platform/context.js';
import { caseCommand } from './case-notify.js';
import { withContext } from './context.js';
import { printJson } from './output.js';

export function registerCasePublish(program: Command): void {
  caseCommand(program)
    .command('publish')
    .description('publish the public page of a validated case (never addresses), or withdraw it')
    .argument('<id>', 'the case id')
    .option('--summary <file>', 'Markdown file with the summary (default: the case description)')
    .option('--recommendations <file>', 'Markdown file with recommendations')
    .option('--withdraw', 'take the page down')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { summary?: string; recommendations?: string; withdraw?: boolean; json?: boolean }) => {
      await withContext(async (ctx) => {
        if (opts.withdraw) await unpublishCase(ctx, cliCaller('case publish --withdraw'), id);
        else
          await publishCase(ctx, cliCaller('case publish'), id, {
            ...(opts.summary ? { summary: readFileSync(opts.summary, 'utf8') } : {}),
            ...(opts.recommendations ? { recommendations: readFileSync(opts.recommendations, 'utf8') } : {}),
          });
        const url = `${ctx.config.publicUrl}/published/${id.toUpperCase()}`;
        if (opts.json) return printJson({ case_id: id.toUpperCase(), published: !opts.withdraw, url });
        process.stdout.write(opts.withdraw ? `${id}: publication withdrawn\n` : `${id}: published at ${url}\n`);
      });
    });
}
