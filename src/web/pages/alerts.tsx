/** Alert pages: the list (members: theirs, unacknowledged first), one alert (acknowledge; for analysts preview, publish, update, retract, delivery). */
import { SECTOR_CODES, SECTORS } from '../../accounts/sectors.js';
import type { AlertDelivery, AlertForViewer, AlertListItem, AlertPreview } from '../../hub/alerts/index.js';
import { SEVERITIES } from '../../hub/indicators/indicator-types.js';
import { TLP_LEVELS } from '../../hub/tlp.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { MessageKey } from '../i18n.js';
import type { PageContext } from '../page-context.js';
import type { AlertLink } from '../../hub/correlation/indicator-links.js';
import { RelatedAlerts } from './correlation.js';
import { SightingForm } from './sighting-form.js';
import { AlertSightingsSection } from './alert-sightings.js';
import type { AlertSightings } from '../../hub/sightings/index.js';

export type AlertValues = Partial<Record<'title' | 'severity' | 'summary' | 'tlp' | 'analysis' | 'indicators' | 'audience' | 'organisations' | 'people' | 'note', string>> & { sectors?: string[] };

const when = (s: string | null) => (s ? s.slice(0, 16).replace('T', ' ') : '');

function Tlp({ tlp }: { tlp: string }) {
  return <span class={`tlp tlp-${tlp.toLowerCase().replace('+', '-')}`}>TLP:{tlp}</span>;
}

function AlertFields({ pc, values }: { pc: PageContext; values: AlertValues }) {
  const { t } = pc;
  const audience = values.audience ?? 'all';
  return (
    <>
      <label for="title">{t('al.titleField')}</label>
      <input id="title" name="title" required maxLength={300} value={values.title ?? ''} />
      <div class="row">
        <div>
          <label for="tlp">TLP</label>
          <select id="tlp" name="tlp">{TLP_LEVELS.map((l) => <option value={l} selected={(values.tlp ?? 'AMBER') === l}>{l}</option>)}</select>
        </div>
        <div>
          <label for="severity">{t('al.severity')}</label>
          <select id="severity" name="severity">{SEVERITIES.map((s) => <option value={s} selected={(values.severity ?? 'high') === s}>{t(`an.sev.${s}` as MessageKey)}</option>)}</select>
        </div>
        <div>
          <label for="analysis">{t('al.analysis')}</label>
          <input id="analysis" name="analysis" inputMode="numeric" value={values.analysis ?? ''} />
        </div>
      </div>
      <label for="summary">{t('al.summary')}</label>
      <textarea id="summary" name="summary" rows={10}>{values.summary ?? ''}</textarea>
      <label for="indicators">{t('al.indicators')}</label>
      <textarea id="indicators" name="indicators" rows={5}>{values.indicators ?? ''}</textarea>
      <fieldset>
        <legend>{t('al.audience')}</legend>
        {(['all', 'sectors', 'organisations'] as const).map((k) => (
          <label><input type="radio" name="audience" value={k} checked={audience === k} /> {t(`al.aud.${k}` as MessageKey)}</label>
        ))}
        <label for="sectors">{t('al.sectors')}</label>
        <select id="sectors" name="sectors" multiple size={6}>
          {SECTOR_CODES.map((s) => <option value={s} selected={(values.sectors ?? []).includes(s)}>{SECTORS[s][pc.lang]}</option>)}
        </select>
        <label for="organisations">{t('al.organisations')}</label>
        <textarea id="organisations" name="organisations" rows={3}>{values.organisations ?? ''}</textarea>
        <label for="people">{t('al.people')}</label>
        <textarea id="people" name="people" rows={2}>{values.people ?? ''}</textarea>
      </fieldset>
    </>
  );
}

export function AlertsPage(props: { pc: PageContext; alerts: AlertListItem[]; canManage: boolean; error?: string; values?: AlertValues }) {
  const { pc, alerts } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('al.title')}>
      <h1>{t('al.title')}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {alerts.length === 0 ? <p>{t('al.none')}</p> : (
        <table>
          <thead>
            <tr><th>{t('al.titleField')}</th><th>TLP</th><th>{t('al.severity')}</th><th>{t('al.state')}</th><th>{t('al.published')}</th>{props.canManage ? null : <th>{t('al.ack')}</th>}</tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr data-testid={`alert-${a.id}`}>
                <td><a href={`/alerts/${a.id}`}>{a.title}</a></td>
                <td><Tlp tlp={a.tlp} /></td>
                <td>{t(`an.sev.${a.severity}` as MessageKey)}</td>
                <td>{t(`al.state.${a.state}` as MessageKey)}{a.version > 1 ? ` (v${a.version})` : ''}</td>
                <td>{when(a.publishedAt)}</td>
                {props.canManage ? null : <td>{a.recipient ? (a.recipient.acknowledgedAt ? when(a.recipient.acknowledgedAt) : t('al.notAcked')) : ''}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canManage ? (
        <>
          <h2>{t('al.new')}</h2>
          <form method="post" action="/alerts">
            <Csrf pc={pc} />
            <AlertFields pc={pc} values={props.values ?? {}} />
            <button type="submit">{t('al.saveDraft')}</button>
          </form>
        </>
      ) : null}
    </Layout>
  );
}

function PreviewTable({ pc, preview, sent }: { pc: PageContext; preview: AlertPreview; sent: boolean }) {
  const { t } = pc;
  const n = preview.totals;
  return (
    <section data-testid="alert-preview">
      <h2>{t('al.preview')}</h2>
      <p>{sent ? t('al.sentIntro', { orgs: n.organisations }) : t('al.previewIntro', { orgs: n.organisations, emails: n.emails + preview.people.length, webhooks: n.webhooks })}</p>
      {preview.recipients.length > 0 ? (
        <table>
          <thead><tr><th>{t('al.organisation')}</th><th>{t('al.contacts')}</th><th>{t('al.webhook')}</th><th>{t('al.delivery')}</th></tr></thead>
          <tbody>
            {preview.recipients.map((r) => (
              <tr><td>{r.name}</td><td>{r.contacts.map((c) => `${c.email} (${c.language})`).join(', ')}</td><td>{r.webhookUrl ?? ''}</td><td>{r.delivery}</td></tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preview.people.length > 0 ? (
        <>
          <h3>{t('al.namedPeople')}</h3>
          <ul>{preview.people.map((p) => <li>{p.name ? `${p.name} <${p.email}>` : p.email}</li>)}</ul>
        </>
      ) : null}
      {preview.excluded.length > 0 ? (
        <>
          <h3>{t('al.excluded')}</h3>
          <ul>{preview.excluded.map((e) => <li>{e.name}: {t(`al.excl.${e.reason}` as MessageKey)}</li>)}</ul>
        </>
      ) : null}
    </section>
  );
}

export function AlertPage(props: {
  pc: PageContext;
  alert: AlertForViewer;
  canManage: boolean;
  preview?: AlertPreview | null;
  deliveries?: AlertDelivery[];
  versions?: Array<{ version: number; title: string; note: string | null; publishedAt: string }>;
  values?: AlertValues;
  message?: string;
  error?: string;
  /** A member who may report sightings: show "we see this". */
  canReport?: boolean;
  /** Other alerts that share indicators with it, as far as the viewer may see them. */
  related?: AlertLink[];
  /** Sightings of the indicators shown (published and retracted alerts), kept current by /static/alert-live.js. */
  sightings?: AlertSightings | null;
}) {
  const { pc, alert: a } = props;
  const { t } = pc;
  const values: AlertValues = props.values ?? {
    title: a.title,
    severity: a.severity,
    summary: a.summary,
    tlp: a.tlp,
    analysis: a.analysisId ? String(a.analysisId) : '',
    indicators: a.indicators.map((i) => i.value).join('\n'),
    audience: a.audience.kind,
    sectors: a.audience.sectors,
    organisations: a.audience.organisationIds.join('\n'),
    people: a.namedUserIds.join('\n'),
  };
  return (
    <Layout pc={pc} title={a.title}>
      <h1>{a.title}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {a.state === 'retracted' ? <Notice kind="warn">{t('al.retractedNotice', { at: when(a.retractedAt) })}{a.retractReason ? ` ${t('al.reason')}: ${a.retractReason}` : ''}</Notice> : null}
      <p><Tlp tlp={a.tlp} /> · {t(`an.sev.${a.severity}` as MessageKey)} · {t(`al.state.${a.state}` as MessageKey)}{a.version > 0 ? ` · v${a.version}` : ''}{a.publishedAt ? ` · ${when(a.publishedAt)}` : ''}</p>
      <article dangerouslySetInnerHTML={{ __html: a.summaryHtml }} />
      {a.indicators.length > 0 ? (
        <>
          <h2>{t('an.indicators').split(' (')[0]}</h2>
          <ul data-testid="alert-indicators">{a.indicators.map((i) => <li><code>{i.value}</code> ({i.type}) <Tlp tlp={i.tlp} /></li>)}</ul>
        </>
      ) : null}
      {props.related ? <RelatedAlerts pc={pc} alerts={props.related} indicators={a.indicators} /> : null}
      {a.recipient ? (
        a.recipient.acknowledgedAt ? (
          <p data-testid="alert-ack">{t('al.ackedBy', { at: when(a.recipient.acknowledgedAt), by: a.recipient.acknowledgedBy ?? '' })}</p>
        ) : a.state === 'published' ? (
          <form method="post" action={`/alerts/${a.id}/ack`}>
            <Csrf pc={pc} />
            <button type="submit">{t('al.ackButton')}</button>
          </form>
        ) : null
      ) : null}
      {props.canReport && a.state === 'published' ? <SightingForm pc={pc} alertId={a.id} indicators={a.indicators} /> : null}
      {props.sightings ? <AlertSightingsSection pc={pc} alertId={a.id} indicators={a.indicators} sightings={props.sightings} /> : null}
      {props.canManage ? <ManageSections {...props} values={values} /> : null}
    </Layout>
  );
}

function ManageSections(props: Parameters<typeof AlertPage>[0] & { values: AlertValues }) {
  const { pc, alert: a } = props;
  const { t } = pc;
  return (
    <>
      {props.preview ? <PreviewTable pc={pc} preview={props.preview} sent={a.state !== 'draft'} /> : null}
      {a.state === 'draft' ? (
        <>
          <form method="post" action={`/alerts/${a.id}/publish`}>
            <Csrf pc={pc} />
            {props.preview && props.preview.flagged.length > 0 ? <FlaggedIndicators pc={pc} flagged={props.preview.flagged} /> : null}
            <button type="submit">{t('al.publish')}</button>
          </form>
          <h2>{t('al.edit')}</h2>
          <form method="post" action={`/alerts/${a.id}`}>
            <Csrf pc={pc} />
            <AlertFields pc={pc} values={props.values} />
            <button type="submit">{t('al.saveDraft')}</button>
          </form>
        </>
      ) : null}
      {a.state === 'published' ? (
        <>
          <h2>{t('al.update')}</h2>
          <form method="post" action={`/alerts/${a.id}`}>
            <Csrf pc={pc} />
            <label for="title">{t('al.titleField')}</label>
            <input id="title" name="title" required maxLength={300} value={props.values.title ?? ''} />
            <label for="severity">{t('al.severity')}</label>
            <select id="severity" name="severity">{SEVERITIES.map((s) => <option value={s} selected={props.values.severity === s}>{t(`an.sev.${s}` as MessageKey)}</option>)}</select>
            <label for="summary">{t('al.summary')}</label>
            <textarea id="summary" name="summary" rows={10}>{props.values.summary ?? ''}</textarea>
            <label for="indicators">{t('al.indicators')}</label>
            <textarea id="indicators" name="indicators" rows={5}>{props.values.indicators ?? ''}</textarea>
            <label for="note">{t('al.note')}</label>
            <input id="note" name="note" maxLength={2000} value={props.values.note ?? ''} />
            <button type="submit">{t('al.sendUpdate')}</button>
          </form>
          <h2>{t('al.retract')}</h2>
          <form method="post" action={`/alerts/${a.id}/retract`}>
            <Csrf pc={pc} />
            <label for="reason">{t('al.reason')}</label>
            <input id="reason" name="reason" maxLength={2000} />
            <button class="danger" type="submit">{t('al.retractButton')}</button>
          </form>
        </>
      ) : null}
      {props.deliveries && props.deliveries.length > 0 ? (
        <section data-testid="alert-deliveries">
          <h2>{t('al.deliveries')}</h2>
          <table>
            <thead><tr><th>{t('al.organisation')}</th><th>{t('al.ack')}</th><th>{t('al.messages')}</th></tr></thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr>
                  <td>{d.name}</td>
                  <td>{d.acknowledgedAt ? `${when(d.acknowledgedAt)} (${d.acknowledgedBy ?? ''})` : t('al.notAcked')}</td>
                  <td><ul>{d.messages.map((m) => <li>{m.channel} {m.destination}: {m.status}{m.lastError ? ` (${m.lastError})` : ''}</li>)}</ul></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {props.versions && props.versions.length > 0 ? (
        <>
          <h2>{t('al.versions')}</h2>
          <ul>{props.versions.map((v) => <li>v{v.version}: {v.title} · {when(v.publishedAt)}{v.note ? ` · ${v.note}` : ''}</li>)}</ul>
        </>
      ) : null}
    </>
  );
}

/** Indicators on a MISP warninglist: listed before publishing, which then needs the analyst's confirmation. */
function FlaggedIndicators(props: { pc: PageContext; flagged: AlertPreview['flagged'] }) {
  const { t } = props.pc;
  return (
    <section class="notice error">
      <h3>{t('al.flagged')}</h3>
      <p>{t('al.flaggedIntro', { n: props.flagged.length })}</p>
      <ul>{props.flagged.map((f) => <li><a href={`/indicators/${f.indicatorId}`}><code>{f.value}</code></a> ({f.type}): {f.lists.join(', ')}</li>)}</ul>
      <label><input type="checkbox" name="confirm_flagged" value="1" /> {t('al.confirmFlagged')}</label>
    </section>
  );
}
