/** The page frame: header with navigation by permission, language switch, and the content. */
import type { ComponentChildren } from 'preact';
import type { PageContext } from './page-context.js';
import type { MessageKey } from './i18n.js';
import type { Permission } from '../accounts/policies.js';

const NAV: Array<{ href: string; label: MessageKey; needs?: Permission; signedIn?: true; memberOnly?: true }> = [
  { href: '/', label: 'nav.home' },
  { href: '/alerts', label: 'nav.alerts', signedIn: true },
  { href: '/my-organisation', label: 'nav.myOrganisation', signedIn: true, memberOnly: true },
  { href: '/members', label: 'nav.members', needs: 'members:read' },
  { href: '/lookup', label: 'nav.lookup', needs: 'registry:lookup' },
  { href: '/operators', label: 'nav.operators', needs: 'operators:read' },
  { href: '/cases', label: 'nav.cases', needs: 'cases:read' },
  { href: '/indicators', label: 'nav.indicators', needs: 'indicators:read' },
  { href: '/analyses', label: 'nav.analyses', needs: 'analyses:manage' },
  { href: '/hub/sightings', label: 'nav.sightings', needs: 'indicators:read' },
  { href: '/hub/search', label: 'nav.search', needs: 'indicators:read' },
  { href: '/admin/organisations', label: 'nav.organisations', needs: 'organisations:read' },
  { href: '/admin/users', label: 'nav.users', needs: 'users:manage' },
  { href: '/admin/keys', label: 'nav.keys', needs: 'apikeys:manage' },
  { href: '/admin/audit', label: 'nav.audit', needs: 'audit:read' },
  { href: '/published', label: 'nav.published' },
  { href: '/hall-of-fame', label: 'nav.hallOfFame' },
  { href: '/report', label: 'nav.report' },
  { href: '/about', label: 'nav.about' },
];

export function Csrf({ pc }: { pc: PageContext }) {
  return <input type="hidden" name="_csrf" value={pc.csrf} />;
}

export function Notice({ kind, children }: { kind: 'ok' | 'error' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A secret shown once (a generated password, a new API key), easy to select and copy. */
export function SecretNotice({ testId, intro, children }: { testId: string; intro?: string; children: ComponentChildren }) {
  return (
    <Notice kind="warn">
      {intro ? <p>{intro}</p> : null}
      <div class="secret" data-testid={testId}>
        {children}
      </div>
    </Notice>
  );
}

export function Layout({ pc, title, children }: { pc: PageContext; title: string; children: ComponentChildren }) {
  const { t } = pc;
  const next = encodeURIComponent(pc.path);
  return (
    <html lang={pc.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Baken`}</title>
        <link rel="stylesheet" href="/static/baken.css" />
        <link rel="icon" href="data:," />
      </head>
      <body>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              Baken<small>{t('app.tagline')}</small>
            </a>
            <nav class="main" aria-label="main">
              {NAV.filter((n) => (pc.session || (!n.needs && !n.signedIn)) && (!n.needs || pc.permissions.includes(n.needs)) && (!n.memberOnly || pc.session?.user.role === 'member')).map((n) => (
                <a href={n.href} aria-current={pc.path === n.href ? 'page' : undefined}>
                  {t(n.label)}
                </a>
              ))}
            </nav>
            <div class="session">
              <span class="lang" aria-label={t('nav.language')}>
                <a href={`/language/en?next=${next}`} aria-current={pc.lang === 'en' ? 'true' : undefined} lang="en">EN</a>
                <a href={`/language/nl?next=${next}`} aria-current={pc.lang === 'nl' ? 'true' : undefined} lang="nl">NL</a>
              </span>
              {pc.session ? (
                <>
                  <span class="hide-small">{pc.session.user.email}</span>
                  <form method="post" action="/logout">
                    <Csrf pc={pc} />
                    <button class="secondary" type="submit">{t('nav.logout')}</button>
                  </form>
                </>
              ) : (
                <a href="/login">{t('nav.login')}</a>
              )}
            </div>
          </div>
        </header>
        <main>{children}</main>
        <footer>
          Baken · <a href="/about">{t('nav.about')}</a> · <a href="/api/docs">{t('nav.api')}</a>
        </footer>
      </body>
    </html>
  );
}
