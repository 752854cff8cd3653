/** The public side of the hotline: the report form, the receipt, and the reporter's status page. */
import { CLASSIFICATIONS } from '../../hotline/taxonomy.js';
import type { ReportStatus } from '../../hotline/reports/reports.js';
import type { RejectedLine } from '../../hotline/intake/intake-types.js';
import { Csrf, Layout, Notice, SecretNotice } from '../layout.js';
import type { MessageKey } from '../i18n.js';
import type { PageContext } from '../page-context.js';

export type ReportValues = Partial<Record<'title' | 'description' | 'classification' | 'cves' | 'product' | 'versions' | 'how_found' | 'hosts' | 'format' | 'name' | 'email' | 'may_credit', string>>;

export const FORMATS = ['auto', 'ips', 'csv', 'shadowserver', 'intelmq'] as const;

export function ReportPage({ pc, values = {}, error }: { pc: PageContext; values?: ReportValues; error?: string }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('report.title')}>
      <h1>{t('report.title')}</h1>
      <p>{t('report.intro')}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form class="stack" method="post" action="/report" enctype="multipart/form-data">
        <Csrf pc={pc} />
        <label for="title">{t('report.what')}</label>
        <input id="title" name="title" required maxLength={200} value={values.title ?? ''} />
        <label for="classification">{t('report.classification')}</label>
        <select id="classification" name="classification">
          {CLASSIFICATIONS.map((c) => (
            <option value={c} selected={(values.classification ?? 'vulnerable/vulnerable-system') === c}>{c}</option>
          ))}
        </select>
        <label for="description">{t('report.description')}</label>
        <textarea id="description" name="description" rows={6} maxLength={20000}>{values.description ?? ''}</textarea>
        <div class="row">
          <div>
            <label for="cves">{t('report.cves')}</label>
            <input id="cves" name="cves" value={values.cves ?? ''} placeholder="CVE-2024-3400" />
          </div>
          <div>
            <label for="product">{t('report.product')}</label>
            <input id="product" name="product" maxLength={200} value={values.product ?? ''} />
          </div>
          <div>
            <label for="versions">{t('report.versions')}</label>
            <input id="versions" name="versions" maxLength={500} value={values.versions ?? ''} />
          </div>
        </div>
        <label for="how_found">{t('report.howFound')}</label>
        <textarea id="how_found" name="how_found" rows={2}>{values.how_found ?? ''}</textarea>
        <label for="hosts">{t('report.hosts')}</label>
        <textarea id="hosts" name="hosts" rows={6} class="mono" placeholder={'203.0.113.7\n198.51.100.4:8443'}>{values.hosts ?? ''}</textarea>
        <div class="row">
          <div>
            <label for="hosts_file">{t('report.hostsFile')}</label>
            <input id="hosts_file" name="hosts_file" type="file" />
          </div>
          <div>
            <label for="format">{t('report.format')}</label>
            <select id="format" name="format">
              {FORMATS.map((f) => (
                <option value={f} selected={(values.format ?? 'auto') === f}>{f}</option>
              ))}
            </select>
          </div>
        </div>
        <div class="row">
          <div>
            <label for="name">{t('report.name')}</label>
            <input id="name" name="name" maxLength={200} value={values.name ?? ''} autocomplete="name" />
          </div>
          <div>
            <label for="email">{t('report.email')}</label>
            <input id="email" name="email" type="email" required maxLength={254} value={values.email ?? ''} autocomplete="email" />
          </div>
        </div>
        <label>
          <input type="checkbox" name="may_credit" value="1" checked={values.may_credit === '1'} /> {t('report.credit')}
        </label>
        {/* A field people never see; bots fill it in, and their reports are dropped without a word. */}
        <div hidden aria-hidden="true">
          <label for="website">{t('report.honeypot')}</label>
          <input id="website" name="website" tabIndex={-1} autocomplete="off" />
        </div>
        <button type="submit">{t('report.submit')}</button>
      </form>
    </Layout>
  );
}

export function ReceiptPage({ pc, caseId, statusUrl, upload }: { pc: PageContext; caseId: string | null; statusUrl: string | null; upload: { hosts: number; rejected: number; lines: RejectedLine[] } | null }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('report.thanks')}>
      <h1>{t('report.thanks')}</h1>
      {caseId ? <p>{t('report.received', { caseId })}</p> : null}
      {statusUrl ? (
        <SecretNotice testId="status-link" intro={t('report.statusLink')}>
          <a href={statusUrl}>{statusUrl}</a>
        </SecretNotice>
      ) : null}
      {upload ? (
        <>
          <p>{t('report.hostsTaken', { hosts: upload.hosts, rejected: upload.rejected })}</p>
          {upload.lines.length > 0 ? <RejectedTable pc={pc} lines={upload.lines} /> : null}
        </>
      ) : null}
    </Layout>
  );
}

export function RejectedTable({ pc, lines }: { pc: PageContext; lines: RejectedLine[] }) {
  const { t } = pc;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>{t('case.line')}</th>
            <th>{t('case.why')}</th>
            <th class="hide-small">Text</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr>
              <td>{l.line}</td>
              <td>{l.reason}</td>
              <td class="mono hide-small">{l.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StatusPage({ pc, status }: { pc: PageContext; status: ReportStatus }) {
  const { t } = pc;
  const stateText = (s: unknown) => (typeof s === 'string' ? t(`state.${s}` as MessageKey) : '');
  return (
    <Layout pc={pc} title={t('status.title')}>
      <h1>{t('status.title')}</h1>
      <p data-testid="report-state">{t('status.state', { caseId: status.caseId, state: stateText(status.state) })}</p>
      <p>
        <strong>{status.title}</strong> · <span class="mono">{status.classification}</span>
      </p>
      <p>{t('status.hosts', { hosts: status.hosts, rejected: status.rejectedLines })}</p>
      <h2>{t('status.history')}</h2>
      <ul>
        {status.events.map((e) => (
          <li>
            <time dateTime={e.at}>{e.at.slice(0, 16).replace('T', ' ')}</time> {t(`event.${e.kind}` as MessageKey)}
            {e.kind === 'state' ? `: ${stateText(e.details.to)}` : ''}
          </li>
        ))}
      </ul>
    </Layout>
  );
}
