/**
 * Analysts' pages for sightings: the overview across sectors over a period, the triage of observations, and the
 * per-day chart on the indicator page (inline SVG with presentation attributes: no script, no inline style, so the
 * strict CSP holds; the same numbers in a table beside it for screen readers and copying).
 */
import type { DayCount, Observation, SightingOverview } from '../../hub/sightings/index.js';
import { TLP_LEVELS } from '../../hub/tlp.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';
import { sectorName, SightingRows, Tlp, when } from './correlation.js';

export function SightingChart({ pc, days, periodDays }: { pc: PageContext; days: DayCount[]; periodDays: number }) {
  const { t } = pc;
  const total = days.reduce((n, d) => n + d.sightings, 0);
  const max = Math.max(1, ...days.map((d) => d.sightings));
  const barW = 12;
  const gap = 2;
  const h = 80;
  const width = days.length * (barW + gap);
  return (
    <section data-testid="sighting-series">
      <h2>{t('ser.title')}</h2>
      <p>{total === 0 ? t('ser.none') : t('ser.total', { sightings: total, organisations: Math.max(0, ...days.map((d) => d.organisations)) })}</p>
      <svg role="img" aria-label={t('ser.caption', { days: periodDays })} width={width} height={h + 16} viewBox={`0 0 ${width} ${h + 16}`}>
        <title>{t('ser.caption', { days: periodDays })}</title>
        <line x1="0" y1={h} x2={width} y2={h} stroke="#d9dee5" />
        {days.map((d, i) => {
          const bh = d.sightings === 0 ? 0 : Math.max(2, Math.round((d.sightings / max) * h));
          return (
            <rect x={i * (barW + gap)} y={h - bh} width={barW} height={bh} fill="#0b5cad" data-day={d.day} data-sightings={String(d.sightings)}>
              <title>{`${d.day}: ${d.sightings}`}</title>
            </rect>
          );
        })}
        <text x="0" y={h + 13} font-size="10" fill="#5b6675">{days[0]?.day ?? ''}</text>
        <text x={width} y={h + 13} font-size="10" fill="#5b6675" text-anchor="end">{days[days.length - 1]?.day ?? ''}</text>
      </svg>
      <details>
        <summary>{t('ser.table')}</summary>
        <table data-testid="sighting-series-table">
          <thead><tr><th>{t('ser.day')}</th><th>{t('ov.sightings')}</th><th>{t('ov.count')}</th><th>{t('ov.organisations')}</th></tr></thead>
          <tbody>{days.filter((d) => d.sightings > 0).map((d) => <tr><td>{d.day}</td><td>{d.sightings}</td><td>{d.count}</td><td>{d.organisations}</td></tr>)}</tbody>
        </table>
      </details>
    </section>
  );
}

export interface PeriodValues {
  days?: string;
  since?: string;
  until?: string;
}

export function SightingsOverviewPage({ pc, overview: o, values, error }: { pc: PageContext; overview?: SightingOverview; values: PeriodValues; error?: string }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('ov.title')}>
      <h1>{t('ov.title')}</h1>
      <form class="inline" method="get" action="/hub/sightings">
        <label for="days">{t('ov.days')}</label>
        <input id="days" name="days" inputMode="numeric" size={4} value={values.days ?? ''} placeholder="30" />
        <label for="since">{t('ov.since')}</label>
        <input id="since" name="since" type="date" value={values.since ?? ''} />
        <label for="until">{t('ov.until')}</label>
        <input id="until" name="until" type="date" value={values.until ?? ''} />
        <button class="secondary" type="submit">{t('ov.show')}</button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {o ? (
        <>
          <p data-testid="ov-period">{t('ov.period')}: {when(o.period.since)} – {when(o.period.until)} (UTC)</p>
          <p data-testid="ov-totals">{t('ov.totals', { ...o.totals })}</p>
          <p data-testid="ov-open">
            {t('ov.open', { n: o.openObservations })} <a href="/hub/observations">{t('ov.triage')}</a>
          </p>
          <h2>{t('ov.bySector')}</h2>
          {o.bySector.length === 0 ? <p>{t('cor.none')}</p> : (
            <table data-testid="ov-sectors">
              <thead><tr><th>{t('cor.sector')}</th><th>{t('ov.sightings')}</th><th>{t('ov.count')}</th><th>{t('ov.organisations')}</th></tr></thead>
              <tbody>{o.bySector.map((s) => <tr><td>{sectorName(pc, s.sector)}</td><td>{s.sightings}</td><td>{s.count}</td><td>{s.organisations}</td></tr>)}</tbody>
            </table>
          )}
          <h2>{t('ov.top')}</h2>
          {o.topIndicators.length === 0 ? <p>{t('cor.none')}</p> : (
            <table data-testid="ov-top">
              <thead><tr><th>{t('ind.value')}</th><th>TLP</th><th>{t('ov.organisations')}</th><th>{t('ov.sectors')}</th><th>{t('ov.sightings')}</th><th>{t('ov.count')}</th><th>{t('ov.last')}</th></tr></thead>
              <tbody>
                {o.topIndicators.map((i) => (
                  <tr>
                    <td><a href={`/indicators/${i.indicatorId}`}><code>{i.value}</code></a> ({i.type})</td>
                    <td><Tlp tlp={i.tlp} /></td>
                    <td>{i.organisations}</td>
                    <td>{i.sectors}</td>
                    <td>{i.sightings}</td>
                    <td>{i.count}</td>
                    <td>{when(i.lastReportedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>{t('ov.newest')}</h2>
          <SightingRows pc={pc} sightings={o.newest} testId="ov-newest" />
        </>
      ) : null}
    </Layout>
  );
}

export function ObservationsPage(props: { pc: PageContext; state: string; observations: Observation[]; canManage: boolean; message?: string; error?: string }) {
  const { pc, observations } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('tri.title')}>
      <h1>{t('tri.title')}</h1>
      <p>{t('tri.explain')}</p>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <p>
        {(['open', 'dismissed', 'promoted'] as const).map((s) => (
          <>
            <a href={`/hub/observations?state=${s}`} aria-current={props.state === s ? 'page' : undefined}>{t(`tri.state.${s}` as MessageKey)}</a>{' '}
          </>
        ))}
      </p>
      {observations.length === 0 ? <p data-testid="tri-none">{t('tri.none')}</p> : (
        <table data-testid="tri-list">
          <thead><tr><th>{t('ind.value')}</th><th>{t('ind.type')}</th><th>{t('ov.organisations')}</th><th>{t('ov.sightings')}</th><th>{t('tri.first')}</th><th>{t('tri.last')}</th><th></th></tr></thead>
          <tbody>
            {observations.map((o) => (
              <tr data-observation={String(o.id)}>
                <td><a href={`/hub/search?q=${encodeURIComponent(o.value)}`}><code>{o.value}</code></a></td>
                <td>{o.type ?? '-'}</td>
                <td>{o.organisations}</td>
                <td>{o.sightings} ({o.count})</td>
                <td>{when(o.firstReportedAt)}</td>
                <td>{when(o.lastReportedAt)}</td>
                <td>
                  {o.state === 'promoted' && o.indicatorId !== null ? <a href={`/indicators/${o.indicatorId}`}>{t('tri.toIndicator', { id: o.indicatorId })}</a> : null}
                  {o.state === 'dismissed' ? <span>{o.reason} ({o.resolvedBy ?? ''}, {when(o.resolvedAt)})</span> : null}
                  {props.canManage && o.state !== 'promoted' ? <TriageForms pc={pc} o={o} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

function TriageForms({ pc, o }: { pc: PageContext; o: Observation }) {
  const { t } = pc;
  return (
    <>
      <form class="inline" method="post" action={`/hub/observations/${o.id}/promote`}>
        <Csrf pc={pc} />
        <select name="tlp" aria-label="TLP">{TLP_LEVELS.map((l) => <option value={l} selected={l === 'AMBER'}>{l}</option>)}</select>
        <input name="confidence" inputMode="numeric" size={3} value="50" aria-label={t('ind.confidence')} />
        <button type="submit">{t('tri.promote')}</button>
      </form>
      {o.state === 'open' ? (
        <form class="inline" method="post" action={`/hub/observations/${o.id}/dismiss`}>
          <Csrf pc={pc} />
          <input name="reason" required maxLength={2000} placeholder={t('tri.reason')} aria-label={t('tri.reason')} />
          <button class="secondary" type="submit">{t('tri.dismiss')}</button>
        </form>
      ) : null}
    </>
  );
}
