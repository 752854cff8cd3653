/** `baken import misp`: MISP event JSON from a file, or a MISP feed from a directory or an http(s) URL. */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { importMispEvents, type MispImportResult } from '../interop/misp/import-misp-events.js';
import { importMispFeed } from '../interop/misp/import-misp-feed.js';
import { cliCaller } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson } from './output.js';

function headersOf(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) throw new BakenError('BAD_INPUT', { detail: `--header: "${h.slice(0, 40)}" is not "Name: value"` });
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

function kindOf(location: string): 'url' | 'dir' | 'file' {
  if (/^https?:\/\//i.test(location)) return 'url';
  let st;
  try {
    st = statSync(location);
  } catch {
    throw new BakenError('BAD_INPUT', { detail: `${location}: no such file or directory` });
  }
  return st.isDirectory() ? 'dir' : 'file';
}

function summary(r: MispImportResult): string {
  const s = r.sightings;
  return `${r.events} events, ${r.attributes} attributes: ${r.created} new indicators, ${r.updated} updated, ${r.skippedCount} attributes skipped; sightings: ${s.recorded} recorded, ${s.falsePositives} false positives, ${s.expirations} expirations${s.alreadyImported ? `, ${s.alreadyImported} imported before` : ''}; ${r.flaggedCount} on a warninglist (${(r.durationMs / 1000).toFixed(2)} s)`;
}

/** Adds `misp` to the `baken import` group. */
export function addImportMisp(group: Command): void {
  group
    .command('misp')
    .description('import MISP event JSON (a file: one event, a list, or a MISP REST answer) or a MISP feed (a directory or URL with manifest.json and one <uuid>.json per event; incremental: only new and changed events are fetched). Attributes with to_ids become indicators; nothing is imported when any attribute is bad')
    .argument('<location>', 'a file of MISP event JSON, a feed directory, or a feed URL')
    .option('--strict', 'also refuse attributes meant for detection whose type the hub does not hold')
    .option('--partial', 'import the good attributes and report the bad ones')
    .option('--full', 'feeds: fetch every event again, not only the new and changed ones')
    .option('--header <header>', 'feeds over http(s): a request header "Name: value" (repeatable), e.g. the feed\'s Authorization', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--json', 'print the result as JSON')
    .action(async (location: string, opts: { strict?: boolean; partial?: boolean; full?: boolean; header: string[]; json?: boolean }) => {
      const kind = kindOf(location);
      const flags = { ...(opts.strict ? { strict: true } : {}), ...(opts.partial ? { partial: true } : {}) };
      await withContext(async (ctx) => {
        const by = cliCaller('import misp');
        if (kind === 'file') {
          const r = await importMispEvents(ctx, by, readFileSync(location, 'utf8'), { ...flags, origin: location.split('/').pop()! });
          if (opts.json) return printJson(r);
          for (const p of r.problems) process.stderr.write(`refused: event ${p.event}${p.attribute ? `, attribute ${p.attribute}` : ''} (${p.path}) ${p.field}: ${p.message}\n`);
          process.stdout.write(`imported: ${summary(r)}\n`);
          return;
        }
        const r = await importMispFeed(ctx, by, location, { ...flags, ...(opts.full ? { full: true } : {}), headers: headersOf(opts.header) });
        if (opts.json) return printJson(r);
        for (const p of r.problems) process.stderr.write(`refused: event ${p.event}${p.attribute ? `, attribute ${p.attribute}` : ''} (${p.path}) ${p.field}: ${p.message}\n`);
        process.stdout.write(`feed ${r.feed}: ${r.fetched} of ${r.listed} events fetched (${r.unchanged} unchanged); ${summary(r)}\n`);
      });
    });
}
