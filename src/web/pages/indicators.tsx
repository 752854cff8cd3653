/** Pages for analysts: indicators (list with search, one indicator, bulk entry) and threat analyses. */
import type { Analysis, AnalysisSummary, AnalysisVersion } from '../../hub/analyses/analyses.js';
import { INDICATOR_TYPES, SEVERITIES, TLP_LEVELS } from '../../hub/indicators/indicator-types.js';
import type { ComponentChildren } from 'preact';
import type { ImportResult, Indicator, IndicatorEvent } from '../../hub/indicators/indicators.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';
import type { MessageKey } from '../i18n.js';

type Query = Partial<Record<'q' | 'type' | 'tlp' | 'label', string>>;

function Tlp({ tlp }: { tlp: string }) {
  return <span class={`tlp tlp-${tlp.toLowerCase().replace('+', '-')}`}>TLP:{tlp}</span>;
}

function TlpSelect({ name, value, empty }: { name: string; value?: string | undefined; empty?: string }) {
  return (
    <select id={name} name={name}>
      {empty !== undefined ? <option value="">{empty}</option> : null}
      {TLP_LEVELS.map((l) => (
        <option value={l} selected={value === l}>{l}</option>
      ))}
    </select>
  );
}

export function IndicatorsPage(props: { pc: PageContext; indicators: Indicator[]; next: number | null; query: Query; canManage: boolean; error?: string }) {
  const { pc, indicators, query } = props;
  const { t } = pc;
  const nextHref = props.next ? `/indicators?${new URLSearchParams({ ...(query as Record<string, string>), before: String(props.next) }).toString()}` : null;
  return (
    <Layout pc={pc} title={t('ind.title')}>
      <h1>{t('ind.title')}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <form class="inline" method="get" action="/indicators">
        <label class="sr-only" for="q">{t('ind.search')}</label>
        <input id="q" name="q" type="search" placeholder={t('ind.search')} value={query.q ?? ''} />
        <select name="type" aria-label={t('ind.type')}>
          <option value="">{t('ind.anyType')}</option>
          {INDICATOR_TYPES.map((ty) => (
            <option value={ty} selected={query.type === ty}>{ty}</option>
          ))}
        </select>
        <select name="tlp" aria-label="TLP">
          <option value="">{t('ind.anyTlp')}</option>
          {TLP_LEVELS.map((l) => (
            <option value={l} selected={query.tlp === l}>{l}</option>
          ))}
        </select>
        <input name="label" placeholder={t('ind.label')} value={query.label ?? ''} aria-label={t('ind.label')} />
        <button class="secondary" type="submit">{t('orgs.search')}</button>
        {props.canManage ? <a href="/indicators/import">{t('ind.bulk')}</a> : null}
      </form>
      {indicators.length === 0 ? (
        <p>{t('ind.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('ind.value')}</th>
              <th>{t('ind.type')}</th>
              <th>TLP</th>
              <th>{t('ind.confidence')}</th>
              <th>{t('ind.labels')}</th>
              <th>{t('ind.network')}</th>
              <th>{t('ind.lastSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {indicators.map((i) => (
              <tr>
                <td><a href={`/indicators/${i.id}`}><code>{i.value}</code></a></td>
                <td>{i.type}</td>
                <td><Tlp tlp={i.tlp} /></td>
                <td>{i.confidence}</td>
                <td>{i.labels.join(', ')}</td>
                <td>{i.asn !== null ? `AS${i.asn}` : ''} {i.country ?? ''}</td>
                <td>{i.lastSeen.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref ? <p><a href={nextHref}>{t('ind.more')}</a></p> : null}
    </Layout>
  );
}

export function IndicatorPage(props: { pc: PageContext; indicator: Indicator; history: IndicatorEvent[]; analyses: Array<{ id: number; version: number; title: string; status: string }>; operatorName: string | null; warninglists?: readonly string[]; children?: ComponentChildren }) {
  const { pc, indicator: i } = props;
  const { t } = pc;
  const enriched = i.type === 'ipv4' || i.type === 'ipv6' || i.type === 'cidr';
  return (
    <Layout pc={pc} title={i.value}>
      <h1><code>{i.value}</code></h1>
      {props.warninglists && props.warninglists.length > 0 ? <p class="notice error">{t('ind.onWarninglist')} {t('ind.warninglists')}: {props.warninglists.join(', ')}</p> : null}
      <dl>
        <dt>{t('ind.type')}</dt><dd>{i.type}</dd>
        <dt>TLP</dt><dd><Tlp tlp={i.tlp} /></dd>
        <dt>{t('ind.confidence')}</dt><dd>{i.confidence}</dd>
        <dt>{t('ind.labels')}</dt><dd>{i.labels.join(', ') || '-'}</dd>
        <dt>{t('ind.source')}</dt><dd>{i.source ?? '-'}</dd>
        <dt>{t('ind.valid')}</dt><dd>{i.validFrom ?? '…'} – {i.validUntil ?? '…'}</dd>
        <dt>{t('ind.firstSeen')}</dt><dd>{i.firstSeen}</dd>
        <dt>{t('ind.lastSeen')}</dt><dd>{i.lastSeen}</dd>
      </dl>
      {enriched ? (
        <>
          <h2>{t('ind.enrichment')}</h2>
          <dl>
            <dt>{t('lookup.asn')}</dt><dd>{i.asn !== null ? `AS${i.asn} ${i.asName ?? ''}` : t('lookup.none')}</dd>
            <dt>{t('lookup.country')}</dt><dd>{i.country ?? '-'}</dd>
            <dt>{t('lookup.operator')}</dt><dd>{props.operatorName ? <a href={`/operators/${i.operatorId}`}>{props.operatorName}</a> : '-'}</dd>
          </dl>
        </>
      ) : null}
      <h2>{t('ind.analyses')}</h2>
      {props.analyses.length === 0 ? <p>-</p> : (
        <ul>{props.analyses.map((a) => <li><a href={`/analyses/${a.id}`}>{a.title}</a> (v{a.version}, {t(a.status === 'draft' ? 'an.draft' : 'an.published')})</li>)}</ul>
      )}
      {props.children}
      <h2>{t('ind.history')}</h2>
      <table>
        <thead><tr><th>{t('ind.when')}</th><th>{t('ind.what')}</th><th>{t('ind.who')}</th><th>{t('ind.details')}</th></tr></thead>
        <tbody>
          {props.history.map((e) => (
            <tr>
              <td>{e.at.slice(0, 19).replace('T', ' ')}</td>
              <td>{t(`ind.event.${e.kind}` as MessageKey)}{e.refType ? ` ${e.refType} ${e.refId}` : ''}</td>
              <td>{e.actor ?? ''}</td>
              <td><code>{JSON.stringify(e.details)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function IndicatorImportPage(props: { pc: PageContext; result?: ImportResult; error?: string; problems?: Array<{ field: string; message: string }>; values?: Record<string, string | undefined> }) {
  const { pc, result } = props;
  const { t } = pc;
  const v = props.values ?? {};
  return (
    <Layout pc={pc} title={t('ind.bulk')}>
      <h1>{t('ind.bulk')}</h1>
      {result ? <Notice kind={result.rejectedCount > 0 ? 'warn' : 'ok'}>{t('ind.imported', { created: result.created, updated: result.updated, rejected: result.rejectedCount })}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {result && result.rejected.length > 0 ? (
        <table>
          <thead><tr><th>{t('ind.line')}</th><th>{t('ind.text')}</th><th>{t('ind.reason')}</th></tr></thead>
          <tbody>{result.rejected.map((r) => <tr><td>{t('ind.lineN', { n: r.line })}</td><td><code>{r.text}</code></td><td>{r.reason}</td></tr>)}</tbody>
        </table>
      ) : null}
      {props.problems && props.problems.length > 0 ? (
        <ul>{props.problems.map((p) => <li>{p.field}: {p.message}</li>)}</ul>
      ) : null}
      <form method="post" action="/indicators/import">
        <Csrf pc={pc} />
        <label for="text">{t('ind.paste')}</label>
        <textarea id="text" name="text" rows={12} required placeholder={'hxxp://evil[.]example/gate\n198.51.100.7\ntype,value,tlp,confidence,labels'}>{v.text ?? ''}</textarea>
        <div class="row">
          <div><label for="tlp">TLP</label><TlpSelect name="tlp" value={v.tlp ?? 'AMBER'} /></div>
          <div><label for="source">{t('ind.source')}</label><input id="source" name="source" maxLength={200} value={v.source ?? ''} /></div>
          <div><label for="labels">{t('ind.labelsHelp')}</label><input id="labels" name="labels" value={v.labels ?? ''} /></div>
        </div>
        <label><input type="checkbox" name="strict" value="1" checked={v.strict === '1'} /> {t('ind.strict')}</label>
        <label><input type="checkbox" name="lenient" value="1" checked={v.lenient === '1'} /> {t('ind.lenient')}</label>
        <button type="submit">{t('ind.import')}</button>
      </form>
      <p>{t('ind.importHelp')}</p>
    </Layout>
  );
}

type AnalysisValues = Partial<Record<'title' | 'body' | 'tlp' | 'severity' | 'indicators', string>>;

function AnalysisFields({ pc, values }: { pc: PageContext; values: AnalysisValues }) {
  const { t } = pc;
  return (
    <>
      <label for="title">{t('an.titleField')}</label>
      <input id="title" name="title" required maxLength={300} value={values.title ?? ''} />
      <div class="row">
        <div><label for="tlp">TLP</label><TlpSelect name="tlp" value={values.tlp ?? 'AMBER'} /></div>
        <div>
          <label for="severity">{t('an.severity')}</label>
          <select id="severity" name="severity">
            {SEVERITIES.map((s) => <option value={s} selected={(values.severity ?? 'medium') === s}>{t(`an.sev.${s}` as MessageKey)}</option>)}
          </select>
        </div>
      </div>
      <label for="body">{t('an.body')}</label>
      <textarea id="body" name="body" rows={14}>{values.body ?? ''}</textarea>
      <label for="indicators">{t('an.indicators')}</label>
      <textarea id="indicators" name="indicators" rows={5}>{values.indicators ?? ''}</textarea>
    </>
  );
}

export function AnalysesPage(props: { pc: PageContext; analyses: AnalysisSummary[]; error?: string; values?: AnalysisValues }) {
  const { pc } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('an.title')}>
      <h1>{t('an.title')}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {props.analyses.length === 0 ? <p>{t('an.none')}</p> : (
        <table>
          <thead><tr><th>{t('an.titleField')}</th><th>TLP</th><th>{t('an.severity')}</th><th>{t('an.state')}</th><th>{t('an.updated')}</th></tr></thead>
          <tbody>
            {props.analyses.map((a) => (
              <tr>
                <td><a href={`/analyses/${a.id}`}>{a.title}</a></td>
                <td><Tlp tlp={a.tlp} /></td>
                <td>{t(`an.sev.${a.severity}` as MessageKey)}</td>
                <td>v{a.latestVersion} {t(a.status === 'draft' ? 'an.draft' : 'an.published')}{a.publishedVersion && a.status === 'draft' ? ` (${t('an.publishedV', { v: a.publishedVersion })})` : ''}</td>
                <td>{a.updatedAt.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('an.new')}</h2>
      <form method="post" action="/analyses">
        <Csrf pc={pc} />
        <AnalysisFields pc={pc} values={props.values ?? {}} />
        <button type="submit">{t('an.saveDraft')}</button>
      </form>
    </Layout>
  );
}

export function AnalysisPage(props: { pc: PageContext; analysis: Analysis; versions: AnalysisVersion[]; message?: string; error?: string; values?: AnalysisValues; children?: ComponentChildren }) {
  const { pc, analysis: a } = props;
  const { t } = pc;
  const values: AnalysisValues = props.values ?? { title: a.title, body: a.body, tlp: a.tlp, severity: a.severity, indicators: a.indicators.map((i) => i.value).join('\n') };
  return (
    <Layout pc={pc} title={a.title}>
      <h1>{a.title}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <p><Tlp tlp={a.tlp} /> · {t(`an.sev.${a.severity}` as MessageKey)} · v{a.version} {t(a.status === 'draft' ? 'an.draft' : 'an.published')}{a.publishedAt ? ` ${a.publishedAt.slice(0, 16).replace('T', ' ')}` : ''}</p>
      <article dangerouslySetInnerHTML={{ __html: a.bodyHtml }} />
      <h2>{t('an.indicators')}</h2>
      <ul>{a.indicators.map((i) => <li><a href={`/indicators/${i.id}`}><code>{i.value}</code></a> ({i.type})</li>)}</ul>
      {props.children}
      {a.status === 'draft' ? (
        <form method="post" action={`/analyses/${a.analysisId}/publish`}>
          <Csrf pc={pc} />
          <button type="submit">{t('an.publish')}</button>
        </form>
      ) : null}
      <h2>{a.status === 'draft' ? t('an.edit') : t('an.editNew')}</h2>
      <form method="post" action={`/analyses/${a.analysisId}`}>
        <Csrf pc={pc} />
        <AnalysisFields pc={pc} values={values} />
        <button type="submit">{t('an.saveDraft')}</button>
      </form>
      <h2>{t('an.versions')}</h2>
      <ul>{props.versions.map((v) => <li>v{v.version}: {v.title} · {t(v.status === 'draft' ? 'an.draft' : 'an.published')} · {(v.publishedAt ?? v.updatedAt).slice(0, 16).replace('T', ' ')}</li>)}</ul>
    </Layout>
  );
}
