import type { Organisation } from '../../accounts/organisations.js';
import { USER_ROLES } from '../../accounts/roles.js';
import type { User } from '../../accounts/users.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice, SecretNotice } from '../layout.js';
import type { PageContext } from '../page-context.js';

type Values = Partial<Record<'email' | 'name' | 'role' | 'organisation_id', string>>;

export function UsersPage(props: {
  pc: PageContext;
  users: User[];
  organisations: Organisation[];
  organisationFilter?: number;
  message?: string;
  secret?: string;
  error?: string;
  values?: Values;
}) {
  const { pc, users, organisations, values = {} } = props;
  const { t } = pc;
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));
  return (
    <Layout pc={pc} title={t('users.title')}>
      <h1>{t('users.title')}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.secret ? <SecretNotice testId="generated-password">{props.secret}</SecretNotice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('users.email')}</th>
              <th>{t('users.role')}</th>
              <th>{t('users.organisation')}</th>
              <th>{t('users.state')}</th>
              <th class="hide-small">{t('users.lastLogin')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td>
                  <a href={`/admin/users/${u.id}`}>{u.email}</a>
                  {u.name ? <div class="muted">{u.name}</div> : null}
                </td>
                <td>{t(`role.${u.role}` as MessageKey)}</td>
                <td>{orgName.get(u.organisationId) ?? u.organisationId}</td>
                <td>
                  <span class={`tag ${u.disabled ? 'disabled' : 'active'}`}>{u.disabled ? t('users.disabled') : t('users.active')}</span>
                </td>
                <td class="hide-small">{u.lastLoginAt ? u.lastLoginAt.slice(0, 16).replace('T', ' ') : t('users.never')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card">
        <h2>{t('users.new')}</h2>
        <form class="stack" method="post" action="/admin/users">
          <Csrf pc={pc} />
          <div class="row">
            <div>
              <label for="email">{t('users.email')}</label>
              <input id="email" name="email" type="email" required value={values.email ?? ''} />
            </div>
            <div>
              <label for="name">{t('users.name')}</label>
              <input id="name" name="name" value={values.name ?? ''} />
            </div>
          </div>
          <div class="row">
            <div>
              <label for="organisation_id">{t('users.organisation')}</label>
              <select id="organisation_id" name="organisation_id">
                {organisations
                  .filter((o) => o.kind !== 'operator')
                  .map((o) => (
                    <option value={String(o.id)} selected={values.organisation_id === String(o.id) || (!values.organisation_id && props.organisationFilter === o.id)}>
                      {o.name}
                    </option>
                  ))}
              </select>
            </div>
            <div>
              <label for="role">{t('users.role')}</label>
              <select id="role" name="role">
                {USER_ROLES.map((r) => (
                  <option value={r} selected={(values.role ?? 'member') === r}>
                    {t(`role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <label for="password">{t('users.password')}</label>
          <input id="password" name="password" type="password" autocomplete="new-password" minLength={12} />
          <button type="submit">{t('users.create')}</button>
        </form>
      </div>
    </Layout>
  );
}

export function UserPage(props: { pc: PageContext; user: User; organisation: Organisation; message?: string; secret?: string; error?: string }) {
  const { pc, user: u, organisation } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={u.email}>
      <h1>{u.email}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.secret ? <SecretNotice testId="generated-password">{props.secret}</SecretNotice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <p class="muted">
        {organisation.name} · <span class={`tag ${u.disabled ? 'disabled' : 'active'}`}>{u.disabled ? t('users.disabled') : t('users.active')}</span>
      </p>
      <div class="card">
        <form class="stack" method="post" action={`/admin/users/${u.id}`}>
          <Csrf pc={pc} />
          <div class="row">
            <div>
              <label for="name">{t('users.name')}</label>
              <input id="name" name="name" value={u.name ?? ''} />
            </div>
            <div>
              <label for="role">{t('users.role')}</label>
              <select id="role" name="role">
                {USER_ROLES.map((r) => (
                  <option value={r} selected={u.role === r}>
                    {t(`role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <button type="submit">{t('orgs.save')}</button>
        </form>
      </div>
      <div class="card">
        <form class="inline" method="post" action={`/admin/users/${u.id}/password`}>
          <Csrf pc={pc} />
          <label class="sr-only" for="password">{t('users.resetPassword')}</label>
          <input id="password" name="password" type="password" autocomplete="new-password" minLength={12} placeholder={t('users.password')} />
          <button type="submit" class="secondary">{t('users.resetPassword')}</button>
        </form>
      </div>
      <form method="post" action={`/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`}>
        <Csrf pc={pc} />
        <button type="submit" class={u.disabled ? 'secondary' : 'danger'}>{u.disabled ? t('users.enable') : t('users.disable')}</button>
      </form>
    </Layout>
  );
}
