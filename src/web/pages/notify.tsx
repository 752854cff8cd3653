import type { RoundPlan, RoundStatus } from '../../hotline/notifications/rounds.js';
import type { NotificationTemplate } from '../../hotline/notifications/default-templates.js';
import { TEMPLATE_PLACEHOLDERS } from '../../hotline/notifications/default-templates.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export interface NotifyPageProps {
  pc: PageContext;
  caseId: string;
  plan: RoundPlan | null;
  planError?: string;
  rounds: RoundStatus[];
  templates: Record<'en' | 'nl', NotificationTemplate>;
  message?: string;
  error?: string;
}

export function NotifyPage(props: NotifyPageProps) {
  const { pc, caseId, plan, rounds } = props;
  const { t } = pc;
  const base = `/cases/${encodeURIComponent(caseId)}/notify`;
  return (
    <Layout pc={pc} title={t('notify.title', { case_id: caseId })}>
      <h1>{t('notify.title', { case_id: caseId })}</h1>
      <p>
        <a href={`/cases/${encodeURIComponent(caseId)}`}>← {caseId}</a>
      </p>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <div class="card">
        <h2>{t('notify.preview')}</h2>
        <form class="inline" method="get" action={base}>
          <label for="kind">{t('notify.kind')}</label>
          <select id="kind" name="kind">
            <option value="first" selected={plan?.kind !== 'followup'}>{t('notify.first')}</option>
            <option value="followup" selected={plan?.kind === 'followup'}>{t('notify.followup')}</option>
          </select>
          <label for="tlp">{t('notify.tlp')}</label>
          <select id="tlp" name="tlp">
            {['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'].map((v) => (
              <option value={v} selected={(plan?.tlp ?? 'AMBER') === v}>{v}</option>
            ))}
          </select>
          <button class="secondary" type="submit">{t('notify.preview')}</button>
        </form>
        {props.planError ? <Notice kind="warn">{props.planError}</Notice> : null}
        {plan ? (
          <>
            <p data-testid="notify-count">{t('notify.messages', { messages: plan.messages, hosts: plan.hosts })}</p>
            {plan.hostsWithoutContact > 0 ? <Notice kind="warn">{t('notify.noContact', { count: plan.hostsWithoutContact })}</Notice> : null}
            {plan.sample ? (
              <details>
                <summary>{t('notify.sample', { to: plan.sample.to })}</summary>
                <pre class="prewrap mono">{`Subject: ${plan.sample.subject}\n\n${plan.sample.text}`}</pre>
              </details>
            ) : null}
            <form method="post" action={base}>
              <Csrf pc={pc} />
              <input type="hidden" name="kind" value={plan.kind} />
              <input type="hidden" name="tlp" value={plan.tlp} />
              <button type="submit" disabled={plan.messages === 0}>{t('notify.start')}</button>
            </form>
          </>
        ) : null}
      </div>
      <h2>{t('notify.rounds')}</h2>
      {rounds.length === 0 ? <p class="muted">{t('notify.none')}</p> : null}
      {rounds.map((r) => (
        <div class="card">
          <h3>
            {t('notify.kind')} {r.number}: {t(r.kind === 'first' ? 'notify.first' : 'notify.followup')} · TLP:{r.tlp} · {r.startedAt.slice(0, 16).replace('T', ' ')}
          </h3>
          <div class="table-wrap">
            <table data-testid={`round-${r.number}`}>
              <thead>
                <tr>
                  <th>{t('notify.recipient')}</th>
                  <th>#</th>
                  <th>{t('notify.delivery')}</th>
                  <th>{t('notify.answers')}</th>
                </tr>
              </thead>
              <tbody>
                {r.recipients.map((x) => (
                  <tr>
                    <td class="mono">{x.recipient}</td>
                    <td>{x.hosts}</td>
                    <td>
                      <span class={`tag ${x.delivery?.status === 'sent' ? 'active' : x.delivery?.status === 'failed' ? 'revoked' : ''}`}>{x.delivery?.status ?? '?'}</span>
                      {x.delivery?.lastError ? <div class="muted">{x.delivery.lastError}</div> : null}
                    </td>
                    <td>
                      {x.feedback.map((f) => (
                        <div>
                          {t(`portal.${f.kind}` as MessageKey)}
                          {f.comment ? `: ${f.comment}` : ''}
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      <h2>{t('notify.templates')}</h2>
      <p class="muted">{t('notify.templateHelp', { names: TEMPLATE_PLACEHOLDERS.join(', ') })}</p>
      {(['nl', 'en'] as const).map((lang) => (
        <div class="card">
          <form class="stack" method="post" action={`${base}/template/${lang}`}>
            <Csrf pc={pc} />
            <h3>{lang === 'nl' ? 'Nederlands' : 'English'}</h3>
            <label for={`subject-${lang}`}>{t('notify.subject')}</label>
            <input id={`subject-${lang}`} name="subject" value={props.templates[lang].subject} />
            <label for={`body-${lang}`}>{t('notify.body')}</label>
            <textarea id={`body-${lang}`} name="body" rows={12} class="mono">{props.templates[lang].body}</textarea>
            <button type="submit" class="secondary">{t('notify.saveTemplate')}</button>
          </form>
        </div>
      ))}
    </Layout>
  );
}
