/**
 * The member dashboard, the home page of a member organisation's people: the alerts its organisation received
 * (unacknowledged first, acknowledged from the list), its own sightings, and its sector (alerts addressed to the
 * sector, sightings by other organisations of the sector, anonymous unless the reporter shared its name).
 */
import { SECTORS, isSector } from '../../accounts/sectors.js';
import type { Organisation } from '../../accounts/organisations.js';
import type { AlertListItem } from '../../hub/alerts/index.js';
import type { SectorSighting, Sighting } from '../../hub/sightings/index.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

const when = (s: string | null) => (s ? s.slice(0, 16).replace('T', ' ') : '');

function Tlp({ tlp }: { tlp: string }) {
  return <span class={`tlp tlp-${tlp.toLowerCase().replace('+', '-')}`}>TLP:{tlp}</span>;
}

export interface DashboardProps {
  pc: PageContext;
  organisation: Organisation;
  alerts: AlertListItem[];
  sightings: Sighting[];
  sectorAlerts: AlertListItem[];
  sectorSightings: SectorSighting[];
  message?: string;
}

export function DashboardPage(props: DashboardProps) {
  const { pc, organisation: org } = props;
  const { t } = pc;
  const sector = org.sector && isSector(org.sector) ? SECTORS[org.sector][pc.lang] : null;
  const open = props.alerts.filter((a) => a.recipient && !a.recipient.acknowledgedAt && a.state === 'published').length;
  return (
    <Layout pc={pc} title={t('dash.title')}>
      <h1>{org.name}</h1>
      <p class="muted">
        {sector ? `${sector} · ` : ''}
        <a href={`/members/${org.id}`}>{t('dash.profile')}</a>
      </p>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}

      <section data-testid="dash-alerts">
        <h2>{t('dash.alerts')}{open > 0 ? ` (${t('dash.open', { n: open })})` : ''}</h2>
        {props.alerts.length === 0 ? <p>{t('al.none')}</p> : (
          <table>
            <thead><tr><th>{t('al.titleField')}</th><th>TLP</th><th>{t('al.severity')}</th><th>{t('al.published')}</th><th>{t('al.ack')}</th></tr></thead>
            <tbody>
              {props.alerts.map((a) => (
                <tr data-testid={`dash-alert-${a.id}`}>
                  <td><a href={`/alerts/${a.id}`}>{a.title}</a>{a.state === 'retracted' ? <div class="muted">{t('al.state.retracted')}</div> : a.version > 1 ? <div class="muted">v{a.version}</div> : null}</td>
                  <td><Tlp tlp={a.tlp} /></td>
                  <td>{t(`an.sev.${a.severity}` as MessageKey)}</td>
                  <td>{when(a.publishedAt)}</td>
                  <td>
                    {a.recipient?.acknowledgedAt ? when(a.recipient.acknowledgedAt) : a.recipient && a.state === 'published' ? (
                      <form method="post" action={`/alerts/${a.id}/ack`} class="inline">
                        <Csrf pc={pc} />
                        <input type="hidden" name="next" value="/" />
                        <button type="submit">{t('dash.ack')}</button>
                      </form>
                    ) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section data-testid="dash-sightings">
        <h2>{t('dash.ourSightings')}</h2>
        {props.sightings.length === 0 ? <p>{t('dash.noSightings')}</p> : (
          <table>
            <thead><tr><th>{t('si.indicator')}</th><th>{t('si.count')}</th><th>{t('dash.lastSeen')}</th><th>{t('dash.reported')}</th><th>{t('dash.nameShared')}</th></tr></thead>
            <tbody>
              {props.sightings.map((s) => (
                <tr>
                  <td><code>{s.indicator?.value ?? s.observation?.value ?? ''}</code>{s.alertId ? <div><a href={`/alerts/${s.alertId}`}>{t('dash.alertN', { n: s.alertId })}</a></div> : s.observation ? <div class="muted">{t('dash.observation')}</div> : null}</td>
                  <td>{s.count}</td>
                  <td>{when(s.lastSeen)}</td>
                  <td>{when(s.reportedAt)}{s.reportedBy ? <div class="muted">{s.reportedBy}</div> : null}</td>
                  <td>{s.shareName ? t('dash.yes') : t('dash.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section data-testid="dash-sector">
        <h2>{sector ? t('dash.sector', { sector }) : t('dash.noSector')}</h2>
        {sector ? (
          <>
            <h3>{t('dash.sectorAlerts')}</h3>
            {props.sectorAlerts.length === 0 ? <p>{t('dash.noSectorAlerts')}</p> : (
              <ul>
                {props.sectorAlerts.map((a) => <li data-testid={`dash-sector-alert-${a.id}`}><a href={`/alerts/${a.id}`}>{a.title}</a> <Tlp tlp={a.tlp} /> · {when(a.publishedAt)}{a.state === 'retracted' ? ` · ${t('al.state.retracted')}` : ''}</li>)}
              </ul>
            )}
            <h3>{t('dash.sectorSightings')}</h3>
            {props.sectorSightings.length === 0 ? <p>{t('dash.noSectorSightings')}</p> : (
              <table>
                <thead><tr><th>{t('si.indicator')}</th><th>{t('dash.who')}</th><th>{t('si.count')}</th><th>{t('dash.reported')}</th></tr></thead>
                <tbody>
                  {props.sectorSightings.map((s) => (
                    <tr data-testid={`dash-sector-sighting-${s.id}`}>
                      <td><code>{s.indicator.value}</code><div><a href={`/alerts/${s.alert.id}`}>{s.alert.title}</a></div></td>
                      <td>{s.reporter ?? t('dash.aMember', { sector })}</td>
                      <td>{s.count}</td>
                      <td>{when(s.reportedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ) : null}
      </section>
    </Layout>
  );
}
