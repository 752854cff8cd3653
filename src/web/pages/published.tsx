import type { HallOfFameEntry, PublicCase, PublishedSummary } from '../../hotline/publication/publication.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function PublishedIndexPage({ pc, items }: { pc: PageContext; items: PublishedSummary[] }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('pub.title')}>
      <h1>{t('pub.title')}</h1>
      <p>
        {t('pub.intro')} <a href="/published/feed.atom">{t('pub.feed')}</a>
      </p>
      {items.length === 0 ? <p class="muted">{t('pub.none')}</p> : null}
      {items.map((i) => (
        <div class="card">
          <h2>
            <a href={`/published/${i.caseId}`}>
              {i.caseId}: {i.title}
            </a>
          </h2>
          <p class="muted">
            {i.publishedAt.slice(0, 10)} · {i.cves.join(', ')}
            {i.cves.length ? ' · ' : ''}
            {t('pub.hostsNotified', { hosts: i.hostsNotified })}
          </p>
        </div>
      ))}
    </Layout>
  );
}

export function PublicCasePage({ pc, c }: { pc: PageContext; c: PublicCase }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={`${c.caseId}: ${c.title}`}>
      <h1>
        {c.caseId}: {c.title}
      </h1>
      <p class="muted">
        {t('pub.publishedOn')} {c.publishedAt.slice(0, 10)} · {c.classification}
        {c.cves.length ? ` · ${c.cves.join(', ')}` : ''}
        {c.product ? ` · ${c.product}${c.versions ? ` (${c.versions})` : ''}` : ''} · {t('pub.hostsNotified', { hosts: c.hostsNotified })}
      </p>
      <div class="card">
        <h2>{t('pub.summary')}</h2>
        <div dangerouslySetInnerHTML={{ __html: c.summaryHtml }} />
      </div>
      {c.recommendationsHtml ? (
        <div class="card">
          <h2>{t('pub.recommendations')}</h2>
          <div dangerouslySetInnerHTML={{ __html: c.recommendationsHtml }} />
        </div>
      ) : null}
      {c.credited.length > 0 ? (
        <p>
          {t('pub.credit')}: {c.credited.join(', ')}
        </p>
      ) : null}
      <h2>{t('pub.timeline')}</h2>
      <ul>
        {c.timeline.map((e) => (
          <li>
            <span class="mono">{e.at.slice(0, 10)}</span>{' '}
            {e.what === 'opened'
              ? t('pub.opened')
              : e.what === 'state'
                ? t('pub.state', { state: ['validated', 'notifying', 'closed'].includes(e.state ?? '') ? t(`pub.state.${e.state}` as MessageKey) : (e.state ?? '') })
                : e.what === 'notified'
                  ? t('pub.notified', { round: e.round ?? 1, hosts: e.hosts ?? 0 })
                  : t('pub.publishedOn')}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function HallOfFamePage({ pc, entries }: { pc: PageContext; entries: HallOfFameEntry[] }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('hof.title')}>
      <h1>{t('hof.title')}</h1>
      <p>{t('hof.intro')}</p>
      {entries.length === 0 ? <p class="muted">{t('hof.none')}</p> : null}
      <ul data-testid="hall-of-fame">
        {entries.map((e) => (
          <li>
            <strong>{e.name}</strong> · {t('hof.reports', { count: e.validatedReports })}
            {e.published.length ? ': ' : ''}
            {e.published.map((p, i) => (
              <>
                {i > 0 ? ', ' : ''}
                <a href={`/published/${p.caseId}`}>{p.caseId}</a>
              </>
            ))}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function PublishFormPage({ pc, caseId, summary, recommendations, published, message, error }: { pc: PageContext; caseId: string; summary: string; recommendations: string; published: boolean; message?: string; error?: string }) {
  const { t } = pc;
  const base = `/cases/${encodeURIComponent(caseId)}/publish`;
  return (
    <Layout pc={pc} title={t('pub.edit')}>
      <h1>
        {t('pub.edit')}: {caseId}
      </h1>
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {published ? (
        <p>
          <a href={`/published/${caseId}`}>/published/{caseId}</a>
        </p>
      ) : null}
      <form class="stack card" method="post" action={base}>
        <Csrf pc={pc} />
        <p class="muted">{t('pub.help')}</p>
        <label for="summary">{t('pub.summary')}</label>
        <textarea id="summary" name="summary" rows={10}>{summary}</textarea>
        <label for="recommendations">{t('pub.recommendations')}</label>
        <textarea id="recommendations" name="recommendations" rows={6}>{recommendations}</textarea>
        <button type="submit">{t('pub.save')}</button>
      </form>
      {published ? (
        <form method="post" action={`${base}/withdraw`}>
          <Csrf pc={pc} />
          <button type="submit" class="danger">{t('pub.unpublish')}</button>
        </form>
      ) : null}
    </Layout>
  );
}
