import type { AuditRecord } from '../../platform/audit.js';
import { Layout } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function AuditPage({ pc, entries, action, nextBefore }: { pc: PageContext; entries: AuditRecord[]; action?: string; nextBefore: number | null }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('audit.title')}>
      <h1>{t('audit.title')}</h1>
      <form class="inline" method="get" action="/admin/audit">
        <label class="sr-only" for="action">{t('audit.action')}</label>
        <input id="action" name="action" placeholder="auth." value={action ?? ''} />
        <button class="secondary" type="submit">{t('audit.filter')}</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('audit.at')}</th>
              <th>{t('audit.actor')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.target')}</th>
              <th class="hide-small">{t('audit.from')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.length === 0 ? (
              <tr>
                <td colSpan={5}>{t('audit.none')}</td>
              </tr>
            ) : (
              entries.map((e) => (
                <tr>
                  <td class="mono">{e.at.slice(0, 19).replace('T', ' ')}</td>
                  <td>{e.actorLabel ?? e.actorType}</td>
                  <td>
                    <span class="mono">{e.action}</span>
                    {e.details ? <div class="muted mono">{JSON.stringify(e.details)}</div> : null}
                  </td>
                  <td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''}</td>
                  <td class="hide-small mono">{e.ip ?? ''}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {nextBefore ? (
        <p>
          <a href={`/admin/audit?before=${nextBefore}${action ? `&action=${encodeURIComponent(action)}` : ''}`}>{t('audit.older')} →</a>
        </p>
      ) : null}
    </Layout>
  );
}
