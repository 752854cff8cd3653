import type { PortalHost, PortalView } from '../../hotline/notifications/portal.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function PortalPage({ pc, view, hosts, token, thanks }: { pc: PageContext; view: PortalView; hosts: PortalHost[]; token: string; thanks?: boolean }) {
  const { t } = pc;
  const c = view.case;
  const base = `/portal/${token}`;
  return (
    <Layout pc={pc} title={t('portal.title', { case_id: c.caseId })}>
      <h1>
        {c.caseId}: {c.title}
      </h1>
      <p>
        <span class="tag">{t('portal.tlp', { tlp: view.round.tlp })}</span>
      </p>
      {thanks ? <Notice kind="ok">{t('portal.thanks')}</Notice> : null}
      <p>{t('portal.intro', { recipient: view.recipient, expires: view.expiresAt.slice(0, 10) })}</p>
      {view.round.kind === 'followup' ? <Notice kind="warn">{t('portal.followup', { round: view.round.number })}</Notice> : null}
      <div class="card">
        <h2>{t('portal.description')}</h2>
        {c.cves.length > 0 ? <p class="mono">{c.cves.join(', ')}</p> : null}
        {c.product ? (
          <p>
            {c.product}
            {c.versions ? ` (${c.versions})` : ''}
          </p>
        ) : null}
        <p class="prewrap">{c.description}</p>
      </div>
      <h2>{t('portal.hosts', { count: view.hostCount })}</h2>
      <p>
        {t('portal.download')}: <a href={`${base}/hosts.csv`}>CSV</a> · <a href={`${base}/hosts.json`}>JSON</a>
      </p>
      <div class="table-wrap">
        <table data-testid="portal-hosts">
          <thead>
            <tr>
              <th>IP</th>
              <th>Port</th>
              <th class="hide-small">Timestamp</th>
              <th>AS</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <tr>
                <td class="mono">{h.ip}</td>
                <td class="mono">{h.port ?? ''}</td>
                <td class="mono hide-small">{h.timestamp ?? ''}</td>
                <td class="mono">{h.asn !== null ? `AS${h.asn}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hosts.length < view.hostCount ? <p class="muted">{t('portal.more', { shown: hosts.length, count: view.hostCount })}</p> : null}
      <div class="card">
        <h2>{t('portal.answer')}</h2>
        <form class="stack" method="post" action={`${base}/feedback`}>
          <Csrf pc={pc} />
          <label for="comment">{t('portal.comment')}</label>
          <textarea id="comment" name="comment" rows={3} maxLength={5000}></textarea>
          <p>
            <button type="submit" name="kind" value="fixed">{t('portal.fixed')}</button>{' '}
            <button type="submit" name="kind" value="not_ours" class="secondary">{t('portal.not_ours')}</button>{' '}
            <button type="submit" name="kind" value="false_positive" class="secondary">{t('portal.false_positive')}</button>
          </p>
        </form>
      </div>
      {view.feedback.length > 0 ? (
        <>
          <h2>{t('portal.answers')}</h2>
          <ul>
            {view.feedback.map((f) => (
              <li>
                {f.at.slice(0, 16).replace('T', ' ')}: {t(`portal.${f.kind}` as MessageKey)}
                {f.comment ? ` — ${f.comment}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Layout>
  );
}
