/** The analysts' pages for indicators and analyses; thin, like the API's routes. */
import { formError } from './form-error.js';
import { warninglistFlags } from '../hub/indicators/indicator-warninglists.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type Permission } from '../accounts/policies.js';
import { analysesOfIndicator, createAnalysis, getAnalysis, listAnalyses, listAnalysisVersions, publishAnalysis, updateAnalysis, type AnalysisInput } from '../hub/analyses/analyses.js';
import { casesWithAddress, type CaseLink } from '../hub/correlation/case-links.js';
import { alertsOfIndicators, analysesOfIndicators, networksContaining } from '../hub/correlation/indicator-links.js';
import { findIndicator, getIndicator, importIndicators, indicatorHistory, listIndicators, upsertIndicator, type Indicator } from '../hub/indicators/indicators.js';
import { listSightings, periodOf, sightingsPerDay } from '../hub/sightings/index.js';
import { viewerOf } from '../hub/tlp.js';
import { parseIp } from '../net/ip-address.js';
import { IndicatorFieldError, parseLabels } from '../hub/indicators/parse-indicator-lines.js';
import type { Caller, Context } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { getOperator } from '../registry/operators.js';
import { languageOf, pageContext } from './page-context.js';
import { AnalysisRelations, IndicatorLinks, SightingRows } from './pages/correlation.js';
import { AnalysesPage, AnalysisPage, IndicatorImportPage, IndicatorPage, IndicatorsPage } from './pages/indicators.js';
import { SightingChart } from './pages/sightings-overview.js';
import { sendPage } from './render.js';

type Form = Record<string, string | undefined>;


const idOf = (s: string) => (/^\d{1,12}$/.test(s) ? Number(s) : 0);

/** Indicator values typed into the analysis form, one a line: added when the hub does not know them yet. */
async function indicatorIdsFrom(ctx: Context, by: Caller, text: string | undefined, tlp: string): Promise<number[]> {
  const ids: number[] = [];
  for (const line of (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')) {
    const found = await findIndicator(ctx, line);
    ids.push(found ? found.id : (await upsertIndicator(ctx, by, { value: line, tlp })).indicator.id);
  }
  return ids;
}

const SERIES_DAYS = 30;

/** What the indicator page shows beside the indicator: sightings per day and the latest, alerts, networks, cases. */
async function indicatorLinks(ctx: Context, request: FastifyRequest, indicator: Indicator) {
  const viewer = viewerOf(request.caller.actor);
  const db = ctx.db.kysely;
  const address = indicator.type === 'ipv4' || indicator.type === 'ipv6' || indicator.type === 'cidr';
  return {
    series: await sightingsPerDay(ctx, indicator.id, periodOf(ctx.clock.now(), { days: SERIES_DAYS })),
    sightings: await listSightings(ctx, viewer, { indicatorId: indicator.id, limit: 20 }),
    alerts: await alertsOfIndicators(db, viewer, [indicator]),
    networks: address ? await networksContaining(db, parseIp(indicator.value.split('/')[0]!), indicator.type === 'cidr' ? Number(indicator.value.split('/')[1]) : undefined) : [],
    cases: address ? (await casesWithAddress(ctx, indicator.value)).cases : [],
  };
}

/** What the analysis page shows beside the analysis: alerts and analyses sharing its indicators, cases with its addresses. */
async function analysisLinks(ctx: Context, request: FastifyRequest, indicators: readonly Indicator[]) {
  const db = ctx.db.kysely;
  const cases = new Map<string, CaseLink>();
  for (const i of indicators.filter((x) => x.type === 'ipv4' || x.type === 'ipv6' || x.type === 'cidr').slice(0, 200)) {
    for (const c of (await casesWithAddress(ctx, i.value)).cases) {
      const seen = cases.get(c.caseId);
      cases.set(c.caseId, seen ? { ...seen, hosts: seen.hosts + c.hosts, ports: [...new Set([...seen.ports, ...c.ports])].sort((a, b) => a - b).slice(0, 20) } : c);
    }
  }
  return {
    alerts: await alertsOfIndicators(db, viewerOf(request.caller.actor), indicators),
    analyses: await analysesOfIndicators(db, indicators.map((i) => i.id)),
    cases: [...cases.values()],
  };
}

export async function indicatorWebRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const needs = (permission: Permission) => async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, permission);
  };

  app.get<{ Querystring: Form }>('/indicators', { preValidation: needs('indicators:read') }, async (request, reply) => {
    const q = request.query;
    const query = { ...(q.q ? { q: q.q.slice(0, 200) } : {}), ...(q.type ? { type: q.type } : {}), ...(q.tlp ? { tlp: q.tlp } : {}), ...(q.label ? { label: q.label.slice(0, 64) } : {}) };
    const pc = pageContext(ctx, request, reply);
    const canManage = can(request.caller.actor, 'indicators:manage');
    try {
      const page = await listIndicators(ctx, { ...query, ...(q.before && idOf(q.before) ? { before: idOf(q.before) } : {}), limit: 100 });
      return sendPage(reply, <IndicatorsPage pc={pc} indicators={page.indicators} next={page.next} query={query} canManage={canManage} />);
    } catch (err) {
      return sendPage(reply, <IndicatorsPage pc={pc} indicators={[]} next={null} query={query} canManage={canManage} error={formError(err, languageOf(ctx, request))} />, 400);
    }
  });

  app.get('/indicators/import', { preValidation: needs('indicators:manage') }, async (request, reply) => sendPage(reply, <IndicatorImportPage pc={pageContext(ctx, request, reply)} />));

  app.post<{ Body: Form }>('/indicators/import', { preValidation: needs('indicators:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    const pc = pageContext(ctx, request, reply);
    try {
      const result = await importIndicators(ctx, request.caller, b.text ?? '', {
        ...(b.tlp ? { tlp: b.tlp } : {}),
        ...(b.source?.trim() ? { source: b.source.trim() } : {}),
        labels: b.labels ? parseLabels(b.labels) : [],
        ...(b.strict === '1' ? { strict: true } : {}),
        ...(b.lenient === '1' ? { lenient: true } : {}),
      });
      // Rejected lines stay in the box so they can be corrected and sent again.
      const rejectedText = result.rejected.map((r) => r.text).join('\n');
      return sendPage(reply, <IndicatorImportPage pc={pc} result={result} values={{ ...b, text: rejectedText }} />);
    } catch (err) {
      const problems = err instanceof BakenError ? err.problems : [];
      return sendPage(reply, <IndicatorImportPage pc={pc} error={err instanceof IndicatorFieldError ? err.message : formError(err, languageOf(ctx, request))} problems={problems} values={b} />, 400);
    }
  });

  app.get<{ Params: { id: string } }>('/indicators/:id', { preValidation: needs('indicators:read') }, async (request, reply) => {
    const indicator = await getIndicator(ctx, idOf(request.params.id));
    const [history, analyses] = await Promise.all([indicatorHistory(ctx, indicator.id), analysesOfIndicator(ctx, indicator.id)]);
    let operatorName: string | null = null;
    if (indicator.operatorId !== null) operatorName = await getOperator(ctx, indicator.operatorId).then((o) => o.organisation.name, () => null);
    const pc = pageContext(ctx, request, reply);
    const links = await indicatorLinks(ctx, request, indicator);
    const warninglists = (await warninglistFlags(ctx, [indicator]))[0]?.lists ?? [];
    return sendPage(
      reply,
      <IndicatorPage pc={pc} indicator={indicator} history={history} analyses={analyses} operatorName={operatorName} warninglists={warninglists}>
        <SightingChart pc={pc} days={links.series} periodDays={SERIES_DAYS} />
        <h2>{pc.t('cor.sightings')}</h2>
        <SightingRows pc={pc} sightings={links.sightings} testId="indicator-sightings" />
        <IndicatorLinks pc={pc} indicator={indicator} alerts={links.alerts} networks={links.networks} cases={links.cases} canOpenCases={can(request.caller.actor, 'cases:read')} />
      </IndicatorPage>,
    );
  });

  app.get('/analyses', { preValidation: needs('analyses:manage') }, async (request, reply) => sendPage(reply, <AnalysesPage pc={pageContext(ctx, request, reply)} analyses={await listAnalyses(ctx)} />));

  app.post<{ Body: Form }>('/analyses', { preValidation: needs('analyses:manage') }, async (request, reply) => {
    const b = request.body ?? {};
    try {
      const input: AnalysisInput = { title: b.title ?? '', body: b.body ?? '', tlp: b.tlp ?? '', severity: b.severity ?? '', indicatorIds: await indicatorIdsFrom(ctx, request.caller, b.indicators, b.tlp ?? 'AMBER') };
      const a = await createAnalysis(ctx, request.caller, input);
      return reply.redirect(`/analyses/${a.analysisId}`, 303);
    } catch (err) {
      return sendPage(reply, <AnalysesPage pc={pageContext(ctx, request, reply)} analyses={await listAnalyses(ctx)} error={formError(err, languageOf(ctx, request))} values={b} />, 400);
    }
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/analyses/:id', { preValidation: needs('analyses:manage') }, async (request, reply) => {
    const id = idOf(request.params.id);
    const analysis = await getAnalysis(ctx, id);
    const pc = pageContext(ctx, request, reply);
    const r = await analysisLinks(ctx, request, analysis.indicators);
    return sendPage(
      reply,
      <AnalysisPage pc={pc} analysis={analysis} versions={await listAnalysisVersions(ctx, id)} {...(request.query.done ? { message: pc.t(request.query.done === 'published' ? 'an.publishedNow' : 'an.saved') } : {})}>
        <AnalysisRelations pc={pc} analysisId={id} indicators={analysis.indicators} alerts={r.alerts} analyses={r.analyses} cases={r.cases} canOpenCases={can(request.caller.actor, 'cases:read')} />
      </AnalysisPage>,
    );
  });

  app.post<{ Params: { id: string }; Body: Form }>('/analyses/:id', { preValidation: needs('analyses:manage') }, async (request, reply) => {
    const id = idOf(request.params.id);
    const b = request.body ?? {};
    try {
      await updateAnalysis(ctx, request.caller, id, { title: b.title ?? '', body: b.body ?? '', tlp: b.tlp ?? '', severity: b.severity ?? '', indicatorIds: await indicatorIdsFrom(ctx, request.caller, b.indicators, b.tlp ?? 'AMBER') });
      return reply.redirect(`/analyses/${id}?done=saved`, 303);
    } catch (err) {
      const error = formError(err, languageOf(ctx, request));
      const analysis = await getAnalysis(ctx, id);
      return sendPage(reply, <AnalysisPage pc={pageContext(ctx, request, reply)} analysis={analysis} versions={await listAnalysisVersions(ctx, id)} error={error} values={b} />, 400);
    }
  });

  app.post<{ Params: { id: string } }>('/analyses/:id/publish', { preValidation: needs('analyses:manage') }, async (request, reply) => {
    const id = idOf(request.params.id);
    await publishAnalysis(ctx, request.caller, id);
    return reply.redirect(`/analyses/${id}?done=published`, 303);
  });
}
