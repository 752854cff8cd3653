import { Layout } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function AboutPage({ pc }: { pc: PageContext }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('about.title')}>
      <h1>{t('about.title')}</h1>
      <div class="card">
        <p>{t('about.text')}</p>
      </div>
    </Layout>
  );
}
