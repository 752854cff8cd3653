/**
 * The mapping and preview step of a host upload (the case page's upload form and the public report form): the
 * detected format, the header's columns with selects for the mapping, the first rows as they will be stored and every
 * rejected line among the lines read. Nothing is saved until the form is sent with "save"; without JavaScript the
 * mapping is tried with "preview again".
 */
import type { HostPreview } from '../../hotline/intake/preview-hosts.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';
import { FORMATS, RejectedTable } from './report.js';

export interface HostsPreviewProps {
  pc: PageContext;
  /** Where the form goes (`/cases/{id}/hosts`, `/report`). */
  action: string;
  /** A link back (the case page), when there is one. */
  back?: { href: string; label: string };
  preview: HostPreview;
  /** The format to pre-select: the detected one, else what was asked for. */
  format: string;
  /** The upload as base64, carried in the form; null when it is too large and the file must be chosen again. */
  carried: string | null;
  /** Name of the file or `form`, kept for the upload summary. */
  source: string;
  /** Further fields the next request needs (the report's title, description, ...). */
  hidden?: Record<string, string>;
  /** Show the "refuse on any bad line" box (handlers), with its state. */
  strict?: boolean | null;
  error?: string;
}

export function HostsPreviewPage(p: HostsPreviewProps) {
  const { pc, preview } = p;
  const { t } = pc;
  const columns = preview.columns ?? [];
  const mapping = preview.mapping;
  const extra = new Set(mapping?.extra ?? []);
  const extraNames = [...new Set(preview.hosts.flatMap((h) => Object.keys(h.extra)))];
  return (
    <Layout pc={pc} title={t('preview.title')}>
      <h1>{t('preview.title')}</h1>
      {p.back ? (
        <p>
          <a href={p.back.href}>{p.back.label}</a>
        </p>
      ) : null}
      <p>{t('preview.intro')}</p>
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      {preview.error ? (
        <Notice kind="error">
          <span data-testid="preview-error">{preview.error.message}</span>
        </Notice>
      ) : null}
      <form class="stack" method="post" action={p.action} enctype="multipart/form-data" data-testid="preview-form">
        <Csrf pc={pc} />
        {Object.entries(p.hidden ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="source" value={p.source} />
        {p.carried !== null ? (
          <input type="hidden" name="upload_b64" value={p.carried} />
        ) : (
          <>
            <Notice kind="warn">{t('preview.chooseAgain')}</Notice>
            <label for="hosts_file">{t('report.hostsFile')}</label>
            <input id="hosts_file" name="hosts_file" type="file" required />
          </>
        )}
        <label for="format">{t('preview.format')}</label>
        <select id="format" name="format" data-testid="preview-format">
          {FORMATS.map((f) => (
            <option value={f} selected={p.format === f}>{f}</option>
          ))}
        </select>
        {columns.length > 0 ? (
          <div class="row">
            <div>
              <label for="ip_column">{t('preview.ipColumn')}</label>
              <select id="ip_column" name="ip_column">
                {mapping ? null : <option value="">{t('preview.none')}</option>}
                {columns.map((c) => (
                  <option value={c} selected={mapping?.ip === c}>{c}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="port_column">{t('preview.portColumn')}</label>
              <select id="port_column" name="port_column">
                <option value="">{t('preview.none')}</option>
                {columns.map((c) => (
                  <option value={c} selected={mapping?.port === c}>{c}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="timestamp_column">{t('preview.timestampColumn')}</label>
              <select id="timestamp_column" name="timestamp_column">
                <option value="">{t('preview.none')}</option>
                {columns.map((c) => (
                  <option value={c} selected={mapping?.timestamp === c}>{c}</option>
                ))}
              </select>
            </div>
          </div>
        ) : null}
        {columns.length > 0 ? (
          <fieldset>
            <legend>{t('preview.extraColumns')}</legend>
            {columns.map((c, i) => (
              <label>
                <input type="checkbox" name={`extra_column_${i}`} value={c} checked={extra.has(c)} /> {c}
              </label>
            ))}
          </fieldset>
        ) : null}
        {p.strict !== undefined && p.strict !== null ? (
          <label>
            <input type="checkbox" name="strict" value="1" checked={p.strict} /> {t('case.strict')}
          </label>
        ) : null}
        <p>
          <button type="submit" name="step" value="confirm" data-testid="preview-confirm">
            {t('preview.confirm')}
          </button>{' '}
          <button class="secondary" type="submit" name="step" value="preview">
            {t('preview.again')}
          </button>
        </p>
      </form>

      <h2>{t('preview.rows', { rows: preview.hosts.length })}</h2>
      <p data-testid="preview-counts">
        {t('preview.counts', { lines: preview.linesRead, hosts: preview.hosts.length, rejected: preview.rejectedCount, duplicates: preview.duplicates })}
        {preview.complete ? '' : ` ${t('preview.partial')}`}
      </p>
      {preview.hosts.length === 0 ? (
        <p>{t('preview.noHosts')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="preview-hosts">
            <thead>
              <tr>
                <th>{t('case.line')}</th>
                <th>IP</th>
                <th>Port</th>
                <th>{t('preview.time')}</th>
                {extraNames.map((n) => (
                  <th class="hide-small">{n}</th>
                ))}
                <th>{t('preview.warnings')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.hosts.map((h) => (
                <tr>
                  <td>{h.line}</td>
                  <td class="mono">{h.ip}</td>
                  <td>{h.port ?? ''}</td>
                  <td class="mono">{h.timestamp ?? ''}</td>
                  {extraNames.map((n) => (
                    <td class="hide-small">{h.extra[n] ?? ''}</td>
                  ))}
                  <td>{h.warnings.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.rejected.length > 0 ? (
        <>
          <h2>{t('preview.rejected')}</h2>
          <div data-testid="preview-rejected">
            <RejectedTable pc={pc} lines={preview.rejected} />
          </div>
        </>
      ) : null}
    </Layout>
  );
}
