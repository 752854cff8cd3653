import { Layout } from '../layout.js';
import type { PageContext } from '../page-context.js';
import type { Organisation } from '../../accounts/organisations.js';
import { SECTORS } from '../../accounts/sectors.js';
import type { MessageKey } from '../i18n.js';

export function HomePage({ pc, organisation }: { pc: PageContext; organisation: Organisation }) {
  const { t } = pc;
  const user = pc.session!.user;
  return (
    <Layout pc={pc} title={t('home.title')}>
      <h1>{t('home.title')}</h1>
      <div class="card">
        <p>
          {t('home.signedInAs', {
            email: user.email,
            role: t(`role.${user.role}` as MessageKey),
            organisation: organisation.name,
          })}
        </p>
        <p class="muted">
          {t(`kind.${organisation.kind}` as MessageKey)}
          {organisation.sector ? ` · ${SECTORS[organisation.sector][pc.lang]}` : ''}
        </p>
      </div>
      <h2>{t('home.canDo')}</h2>
      <div class="card">
        {pc.permissions.length === 0 ? (
          <p>{t('home.nothingYet')}</p>
        ) : (
          <ul>
            {pc.permissions.map((p) => (
              <li>{t(`perm.${p}` as MessageKey)}</li>
            ))}
          </ul>
        )}
      </div>
    </Layout>
  );
}
