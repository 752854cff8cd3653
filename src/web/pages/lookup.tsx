import type { Resolution } from '../../registry/resolver.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export type LookupRow = Resolution | { ip: string; error: string };

export function LookupPage({ pc, input, results, dataDate, error }: { pc: PageContext; input: string; results: LookupRow[]; dataDate: string | null; error?: string }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('lookup.title')}>
      <h1>{t('lookup.title')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form class="stack card" method="post" action="/lookup">
        <Csrf pc={pc} />
        <label for="ips">{t('lookup.addresses')}</label>
        <textarea id="ips" name="ips" rows={4} required>{input}</textarea>
        <button type="submit">{t('lookup.submit')}</button>
      </form>
      {results.length > 0 ? (
        <div class="table-wrap">
          <table data-testid="lookup-results">
            <thead>
              <tr>
                <th>IP</th>
                <th>{t('lookup.network')}</th>
                <th>{t('lookup.asn')}</th>
                <th>{t('lookup.country')}</th>
                <th>{t('lookup.operator')}</th>
                <th>{t('lookup.contacts')}</th>
                <th class="hide-small">{t('lookup.source')}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) =>
                'error' in r ? (
                  <tr>
                    <td class="mono">{r.ip}</td>
                    <td colSpan={6} class="notice error">{r.error}</td>
                  </tr>
                ) : (
                  <tr>
                    <td class="mono">{r.ip}</td>
                    <td class="mono">{r.network ?? ''}</td>
                    <td>
                      {r.asn !== null ? `AS${r.asn}` : ''}
                      {r.as_name ? <div class="muted">{r.as_name}</div> : null}
                    </td>
                    <td>{r.country ?? ''}</td>
                    <td>{r.operator ? <a href={`/operators/${r.operator.id}`}>{r.operator.name}</a> : ''}</td>
                    <td>{r.abuse_contacts.length > 0 ? r.abuse_contacts.map((c) => <div class="mono">{c}</div>) : <span class="muted">{t('lookup.none')}</span>}</td>
                    <td class="hide-small">{r.contact_source ? t(`source.${r.contact_source}` as MessageKey) : ''}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      {dataDate ? <p class="muted">{t('lookup.dataDate', { date: dataDate.slice(0, 10) })} <a href="/about">{t('nav.about')}</a></p> : null}
    </Layout>
  );
}
