/**
 * Correlation on the pages: the search "what does the hub know about this value", and the sections that link
 * records through shared indicators (indicator page, alert page, analysis page, hotline case page).
 */
import { SECTORS, isSector } from '../../accounts/sectors.js';
import type { CaseIndicatorMatch, CaseLink } from '../../hub/correlation/case-links.js';
import type { Correlation } from '../../hub/correlation/correlate-value.js';
import type { AlertLink, AnalysisLink } from '../../hub/correlation/indicator-links.js';
import type { Indicator } from '../../hub/indicators/indicators.js';
import type { Observation, Sighting } from '../../hub/sightings/index.js';
import type { MessageKey } from '../i18n.js';
import { Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export const when = (s: string | null) => (s ? s.slice(0, 16).replace('T', ' ') : '');

export function Tlp({ tlp }: { tlp: string }) {
  return <span class={`tlp tlp-${tlp.toLowerCase().replace('+', '-')}`}>TLP:{tlp}</span>;
}

export function sectorName(pc: PageContext, sector: string | null): string {
  if (sector === null) return pc.t('ov.noSector');
  return isSector(sector) ? SECTORS[sector][pc.lang] : sector;
}

/** A search box for any value; on every correlation page and linked from the navigation. */
export function CorrelationForm({ pc, value }: { pc: PageContext; value?: string }) {
  const { t } = pc;
  return (
    <form class="inline" method="get" action="/hub/search" role="search">
      <label class="sr-only" for="q">{t('cor.placeholder')}</label>
      <input id="q" name="q" type="search" required maxLength={4096} placeholder={t('cor.placeholder')} value={value ?? ''} />
      <button type="submit">{t('cor.search')}</button>
    </form>
  );
}

export function AlertLinks({ pc, alerts, indicators, testId }: { pc: PageContext; alerts: AlertLink[]; indicators?: ReadonlyMap<number, string>; testId: string }) {
  const { t } = pc;
  if (alerts.length === 0) return <p data-testid={testId}>{t('cor.none')}</p>;
  return (
    <table data-testid={testId}>
      <thead><tr><th>{t('al.titleField')}</th><th>TLP</th><th>{t('cor.state')}</th><th>{t('cor.published')}</th>{indicators ? <th>{t('cor.shared')}</th> : null}</tr></thead>
      <tbody>
        {alerts.map((a) => (
          <tr>
            <td><a href={`/alerts/${a.id}`}>{a.title}</a></td>
            <td><Tlp tlp={a.tlp} /></td>
            <td>{t(`al.state.${a.state}` as MessageKey)}</td>
            <td>{when(a.publishedAt)}</td>
            {indicators ? <td>{a.indicatorIds.map((id) => <code>{indicators.get(id) ?? id} </code>)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AnalysisLinks({ pc, analyses, canOpen, testId }: { pc: PageContext; analyses: AnalysisLink[]; canOpen: boolean; testId: string }) {
  const { t } = pc;
  if (analyses.length === 0) return <p data-testid={testId}>{t('cor.none')}</p>;
  return (
    <ul data-testid={testId}>
      {analyses.map((a) => (
        <li>
          {canOpen ? <a href={`/analyses/${a.id}`}>{a.title}</a> : a.title} <Tlp tlp={a.tlp} /> (v{a.version}, {t(a.status === 'draft' ? 'an.draft' : 'an.published')})
        </li>
      ))}
    </ul>
  );
}

export function CaseLinks({ pc, cases, canOpen, testId }: { pc: PageContext; cases: CaseLink[]; canOpen: boolean; testId: string }) {
  const { t } = pc;
  if (cases.length === 0) return <p data-testid={testId}>{t('cor.none')}</p>;
  return (
    <table data-testid={testId}>
      <thead><tr><th>{t('cor.case')}</th><th>{t('cor.state')}</th><th>{t('cor.created')}</th><th>{t('cor.hosts')}</th><th>{t('cor.ports')}</th></tr></thead>
      <tbody>
        {cases.map((c) => (
          <tr>
            <td>{canOpen ? <a class="mono" href={`/cases/${c.caseId}`}>{c.caseId}</a> : <span class="mono">{c.caseId}</span>} {c.title}</td>
            <td>{t(`state.${c.state}` as MessageKey)}</td>
            <td>{when(c.createdAt)}</td>
            <td>{c.hosts}</td>
            <td>{c.ports.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SightingRows({ pc, sightings, testId }: { pc: PageContext; sightings: Sighting[]; testId: string }) {
  const { t } = pc;
  if (sightings.length === 0) return <p data-testid={testId}>{t('cor.none')}</p>;
  return (
    <table data-testid={testId}>
      <thead><tr><th>{t('cor.reported')}</th><th>{t('cor.organisation')}</th><th>{t('ind.value')}</th><th>{t('cor.count')}</th><th>{t('cor.seen')}</th></tr></thead>
      <tbody>
        {sightings.map((s) => (
          <tr>
            <td>{when(s.reportedAt)}</td>
            <td>{s.organisationName}{s.shareName ? '' : ` (${t('cor.anonymous')})`}</td>
            <td>{s.indicator ? <a href={`/indicators/${s.indicator.id}`}><code>{s.indicator.value}</code></a> : <code>{s.observation?.value ?? ''}</code>}</td>
            <td>{s.count}</td>
            <td>{when(s.firstSeen)} – {when(s.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ObservationRows({ pc, observations }: { pc: PageContext; observations: Observation[] }) {
  const { t } = pc;
  if (observations.length === 0) return <p data-testid="cor-observations">{t('cor.none')}</p>;
  return (
    <ul data-testid="cor-observations">
      {observations.map((o) => (
        <li>
          <code>{o.value}</code> · {t(`tri.state.${o.state}` as MessageKey)} · {t('cor.orgsSightings', { sightings: o.sightings, organisations: o.organisations })}
          {o.state === 'open' ? <> · <a href="/hub/observations">{t('ov.triage')}</a></> : null}
          {o.reason ? ` · ${o.reason}` : ''}
        </li>
      ))}
    </ul>
  );
}

export function CorrelationPage(props: { pc: PageContext; q: string; result?: Correlation; error?: string; canOpenCases: boolean; canOpenAnalyses: boolean }) {
  const { pc, result: r } = props;
  const { t } = pc;
  const names = new Map((r?.indicators ?? []).map((m) => [m.indicator.id, m.indicator.value]));
  return (
    <Layout pc={pc} title={t('cor.title')}>
      <h1>{t('cor.title')}</h1>
      <CorrelationForm pc={pc} value={props.q} />
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {r ? (
        <>
          <p data-testid="cor-normalised">{t('cor.normalised', { value: r.value, type: r.type })}</p>
          <h2>{t('cor.indicators')}</h2>
          {r.indicators.length === 0 ? (
            <p data-testid="cor-indicators">{t('cor.noIndicator')}</p>
          ) : (
            <table data-testid="cor-indicators">
              <thead><tr><th>{t('ind.value')}</th><th>{t('ind.type')}</th><th>TLP</th><th>{t('cor.match')}</th><th>{t('cor.sightings')}</th></tr></thead>
              <tbody>
                {r.indicators.map((m) => (
                  <tr>
                    <td><a href={`/indicators/${m.indicator.id}`}><code>{m.indicator.value}</code></a></td>
                    <td>{m.indicator.type}</td>
                    <td><Tlp tlp={m.indicator.tlp} /></td>
                    <td>{t(`cor.match.${m.match}` as MessageKey)}</td>
                    <td>{t('cor.orgsSightings', { sightings: m.sightings, organisations: m.organisations })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {r.enrichment ? (
            <>
              <h2>{t('cor.enrichment')}</h2>
              <dl data-testid="cor-enrichment">
                <dt>{t('lookup.network')}</dt><dd>{r.enrichment.network ?? '-'}</dd>
                <dt>{t('lookup.asn')}</dt><dd>{r.enrichment.asn !== null ? `AS${r.enrichment.asn} ${r.enrichment.asName ?? ''}` : t('lookup.none')}</dd>
                <dt>{t('lookup.country')}</dt><dd>{r.enrichment.country ?? '-'}</dd>
                <dt>{t('lookup.operator')}</dt><dd>{r.enrichment.operatorName ? <a href={`/operators/${r.enrichment.operatorId}`}>{r.enrichment.operatorName}</a> : '-'}</dd>
              </dl>
            </>
          ) : null}
          <h2>{t('cor.alerts')}</h2>
          <AlertLinks pc={pc} alerts={r.alerts} indicators={names} testId="cor-alerts" />
          <h2>{t('cor.analyses')}</h2>
          <AnalysisLinks pc={pc} analyses={r.analyses} canOpen={props.canOpenAnalyses} testId="cor-analyses" />
          <h2>{t('cor.sightings')}</h2>
          <SightingRows pc={pc} sightings={r.sightings} testId="cor-sightings" />
          <h2>{t('cor.observations')}</h2>
          <ObservationRows pc={pc} observations={r.observations} />
          <h2>{t('cor.cases')}</h2>
          {r.casesTruncated ? <Notice kind="warn">{t('cor.casesTruncated')}</Notice> : null}
          <CaseLinks pc={pc} cases={r.cases} canOpen={props.canOpenCases} testId="cor-cases" />
        </>
      ) : null}
    </Layout>
  );
}

/** On the indicator page: where else the hub meets this indicator. */
export function IndicatorLinks(props: { pc: PageContext; indicator: Indicator; alerts: AlertLink[]; networks: Indicator[]; cases: CaseLink[]; canOpenCases: boolean }) {
  const { pc } = props;
  const { t } = pc;
  return (
    <section data-testid="indicator-links">
      <h2>{t('cor.alerts')}</h2>
      <AlertLinks pc={pc} alerts={props.alerts} testId="indicator-alerts" />
      {props.networks.length > 0 ? (
        <>
          <h2>{t('cor.networks')}</h2>
          <ul data-testid="indicator-networks">{props.networks.map((n) => <li><a href={`/indicators/${n.id}`}><code>{n.value}</code></a> <Tlp tlp={n.tlp} /></li>)}</ul>
        </>
      ) : null}
      {props.indicator.type === 'ipv4' || props.indicator.type === 'ipv6' || props.indicator.type === 'cidr' ? (
        <>
          <h2>{t('cor.cases')}</h2>
          <CaseLinks pc={pc} cases={props.cases} canOpen={props.canOpenCases} testId="indicator-cases" />
        </>
      ) : null}
      <p><a href={`/hub/search?q=${encodeURIComponent(props.indicator.value)}`}>{t('cor.correlate')}</a></p>
    </section>
  );
}

/** On the analysis page: other analyses and alerts that share its indicators, and hotline cases with its addresses. */
export function AnalysisRelations(props: { pc: PageContext; analysisId: number; indicators: Indicator[]; alerts: AlertLink[]; analyses: AnalysisLink[]; cases: CaseLink[]; canOpenCases: boolean }) {
  const { pc } = props;
  const { t } = pc;
  const names = new Map(props.indicators.map((i) => [i.id, i.value]));
  return (
    <section data-testid="analysis-links">
      <h2>{t('cor.links')}</h2>
      <h3>{t('cor.alerts')}</h3>
      <AlertLinks pc={pc} alerts={props.alerts} indicators={names} testId="analysis-alerts" />
      <h3>{t('cor.otherAnalyses')}</h3>
      <AnalysisLinks pc={pc} analyses={props.analyses.filter((a) => a.id !== props.analysisId)} canOpen={true} testId="analysis-analyses" />
      <h3>{t('cor.cases')}</h3>
      <CaseLinks pc={pc} cases={props.cases} canOpen={props.canOpenCases} testId="analysis-cases" />
    </section>
  );
}

/** On the alert page: other alerts that share indicators with it (as far as the viewer may see them). */
export function RelatedAlerts({ pc, alerts, indicators }: { pc: PageContext; alerts: AlertLink[]; indicators: readonly Indicator[] }) {
  if (alerts.length === 0) return null;
  return (
    <section>
      <h2>{pc.t('cor.relatedAlerts')}</h2>
      <AlertLinks pc={pc} alerts={alerts} indicators={new Map(indicators.map((i) => [i.id, i.value]))} testId="related-alerts" />
    </section>
  );
}

/** On the hotline case page: the hub's indicators among the case's hosts. */
export function CaseHubIndicators({ pc, matches, canOpen }: { pc: PageContext; matches: CaseIndicatorMatch[]; canOpen: boolean }) {
  const { t } = pc;
  if (matches.length === 0) return null;
  return (
    <section data-testid="case-hub-indicators">
      <h2>{t('cor.caseIndicators')}</h2>
      <p>{t('cor.caseIndicatorsHelp')}</p>
      <table>
        <thead><tr><th>{t('ind.value')}</th><th>{t('ind.type')}</th><th>TLP</th><th>{t('cor.hosts')}</th></tr></thead>
        <tbody>
          {matches.map((m) => (
            <tr>
              <td>{canOpen ? <a href={`/indicators/${m.indicator.id}`}><code>{m.indicator.value}</code></a> : <code>{m.indicator.value}</code>}</td>
              <td>{m.indicator.type}</td>
              <td><Tlp tlp={m.indicator.tlp} /></td>
              <td>{m.hosts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
