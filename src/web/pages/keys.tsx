import { apiKeyState, type ApiKey } from '../../accounts/api-keys.js';
import type { Organisation } from '../../accounts/organisations.js';
import { KEY_ROLES } from '../../accounts/roles.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice, SecretNotice } from '../layout.js';
import type { PageContext } from '../page-context.js';

export function KeysPage(props: {
  pc: PageContext;
  keys: ApiKey[];
  organisations: Organisation[];
  now: Date;
  organisationFilter?: number;
  created?: { key: ApiKey; secret: string };
  message?: string;
  error?: string;
}) {
  const { pc, keys, organisations, now } = props;
  const { t } = pc;
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));
  return (
    <Layout pc={pc} title={t('keys.title')}>
      <h1>{t('keys.title')}</h1>
      {props.created ? (
        <SecretNotice testId="new-key" intro={t('keys.created')}>
          {props.created.secret}
        </SecretNotice>
      ) : null}
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('keys.prefix')}</th>
              <th>{t('keys.organisation')}</th>
              <th>{t('keys.role')}</th>
              <th>{t('keys.state')}</th>
              <th class="hide-small">{t('keys.lastUsed')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.length === 0 ? (
              <tr>
                <td colSpan={6}>{t('keys.none')}</td>
              </tr>
            ) : (
              keys.map((k) => {
                const state = apiKeyState(k, now);
                return (
                  <tr>
                    <td>
                      <span class="mono">{k.prefix}…</span>
                      {k.label ? <div class="muted">{k.label}</div> : null}
                    </td>
                    <td>{orgName.get(k.organisationId) ?? k.organisationId}</td>
                    <td>{t(`role.${k.role}` as MessageKey)}</td>
                    <td>
                      <span class={`tag ${state}`}>{t(`keys.state.${state}` as MessageKey)}</span>
                      {k.expiresAt && state === 'active' ? <div class="muted">→ {k.expiresAt.slice(0, 10)}</div> : null}
                    </td>
                    <td class="hide-small">{k.lastUsedAt ? k.lastUsedAt.slice(0, 16).replace('T', ' ') : t('common.never')}</td>
                    <td>
                      {state !== 'revoked' ? (
                        <form method="post" action={`/admin/keys/${k.id}/revoke`}>
                          <Csrf pc={pc} />
                          <button type="submit" class="danger">{t('keys.revoke')}</button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      <div class="card">
        <h2>{t('keys.new')}</h2>
        <form class="stack" method="post" action="/admin/keys">
          <Csrf pc={pc} />
          <div class="row">
            <div>
              <label for="organisation_id">{t('keys.organisation')}</label>
              <select id="organisation_id" name="organisation_id">
                {organisations
                  .filter((o) => o.kind !== 'operator')
                  .map((o) => (
                    <option value={String(o.id)} selected={props.organisationFilter === o.id}>
                      {o.name}
                    </option>
                  ))}
              </select>
            </div>
            <div>
              <label for="role">{t('keys.role')}</label>
              <select id="role" name="role">
                {KEY_ROLES.map((r) => (
                  <option value={r} selected={r === 'member'}>
                    {t(`role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="row">
            <div>
              <label for="label">{t('keys.label')}</label>
              <input id="label" name="label" maxLength={200} />
            </div>
            <div>
              <label for="expires">{t('keys.expires')}</label>
              <input id="expires" name="expires" pattern="\d{4}-\d{2}-\d{2}" placeholder="2027-12-31" />
            </div>
          </div>
          <button type="submit">{t('keys.create')}</button>
        </form>
      </div>
    </Layout>
  );
}
