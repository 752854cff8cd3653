import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function LoginPage({ pc, email, error, next }: { pc: PageContext; email?: string; error?: string; next?: string }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('login.title')}>
      <div class="card narrow">
        <h1>{t('login.title')}</h1>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <form class="stack" method="post" action="/login">
          <Csrf pc={pc} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <label for="email">{t('login.email')}</label>
          <input id="email" name="email" type="email" autocomplete="username" required value={email ?? ''} />
          <label for="password">{t('login.password')}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">{t('login.submit')}</button>
        </form>
      </div>
    </Layout>
  );
}
