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
      <h2>{t('about.data')}</h2>
      <div class="card">
        <p>
          IP to ASN data by <a href="https://www.routeviews.org/">RouteViews</a> and <a href="https://db-ip.com">IP Geolocation by DB-IP</a>,
          licensed under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.
        </p>
        <p>
          IP to country data and RIR statistics by the <a href="https://www.nro.net/">Number Resource Organization</a> (NRO), licensed under
          CC BY 4.0. Compiled by <a href="https://github.com/sapics/ip-location-db">ip-location-db</a>; modified by Baken (converted into lookup tables).
        </p>
      </div>
    </Layout>
  );
}
