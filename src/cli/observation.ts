/** `baken observation`: triage of sightings of values the hub did not know (list; promote to an indicator; dismiss). */
import type { Command } from 'commander';
import { presentObservation } from '../api/correlation-presenters.js';
import { presentIndicator } from '../api/presenters.js';
import { dismissObservation, listObservations, OBSERVATION_STATES, promoteObservation } from '../hub/sightings/index.js';
import { cliCaller } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

const idOf = (id: string): number => {
  if (!/^\d{1,12}$/.test(id)) throw invalid('id', 'an observation id (a number)');
  return Number(id);
};

export function registerObservation(program: Command): void {
  const observation = program.command('observation').description('observations: sightings of values the hub did not know, for triage');

  observation
    .command('list')
    .description('observations, most recently reported first (default: the open ones)')
    .option('--state <state>', `only this state (${OBSERVATION_STATES.join(', ')})`, 'open')
    .option('--json', 'print JSON, one object per line')
    .action(async (opts: { state: string; json?: boolean }) => {
      if (!(OBSERVATION_STATES as readonly string[]).includes(opts.state)) throw invalid('--state', `one of ${OBSERVATION_STATES.join(', ')}`);
      await withContext(async (ctx) => {
        const list = (await listObservations(ctx, { state: opts.state })).map(presentObservation);
        if (opts.json) return list.forEach((o) => printJson(o));
        printTable(
          list.map((o) => ({ id: o.id, type: o.type ?? '', value: o.value, state: o.state, organisations: o.organisations, sightings: o.sightings, first: o.first_reported_at, last: o.last_reported_at })),
          ['id', 'type', 'value', 'state', 'organisations', 'sightings', 'first', 'last'],
        );
      });
    });

  observation
    .command('promote <id>')
    .description('make it an indicator (or link the existing one) and move its sightings onto it')
    .requiredOption('--tlp <tlp>', 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED')
    .requiredOption('--confidence <n>', 'a whole number from 0 to 100')
    .option('--type <type>', 'the indicator type, when the value alone is ambiguous')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { tlp: string; confidence: string; type?: string; json?: boolean }) => {
      const n = idOf(id);
      if (!/^\d{1,3}$/.test(opts.confidence)) throw invalid('--confidence', 'a whole number from 0 to 100');
      await withContext(async (ctx) => {
        const r = await promoteObservation(ctx, cliCaller('observation promote'), n, { tlp: opts.tlp, confidence: Number(opts.confidence), type: opts.type ?? null });
        if (opts.json) return printJson({ observation: presentObservation(r.observation), indicator: presentIndicator(r.indicator), moved: r.moved, changed: r.changed });
        process.stdout.write(r.changed ? `promoted observation ${n} to indicator ${r.indicator.id} (${r.indicator.type} ${r.indicator.value}, TLP:${r.indicator.tlp}); ${r.moved} sighting(s) moved\n` : `observation ${n} was promoted to indicator ${r.indicator.id} already; nothing changed\n`);
      });
    });

  observation
    .command('dismiss <id>')
    .description('dismiss it, saying why')
    .requiredOption('--reason <text>', 'why it is dismissed')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const n = idOf(id);
      await withContext(async (ctx) => {
        const r = await dismissObservation(ctx, cliCaller('observation dismiss'), n, opts.reason);
        if (opts.json) return printJson({ observation: presentObservation(r.observation), changed: r.changed });
        process.stdout.write(r.changed ? `dismissed observation ${n}\n` : `observation ${n} was dismissed already; nothing changed\n`);
      });
    });
}
