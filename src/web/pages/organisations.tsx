import type { Organisation } from '../../accounts/organisations.js';
import { SECTOR_CODES, SECTORS } from '../../accounts/sectors.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

type Values = Partial<Record<'name' | 'kind' | 'sector' | 'language' | 'notes', string>>;

function SectorSelect({ pc, value }: { pc: PageContext; value?: string | null }) {
  return (
    <select id="sector" name="sector">
      <option value="">{pc.t('orgs.noSector')}</option>
      {SECTOR_CODES.map((code) => (
        <option value={code} selected={value === code}>
          {SECTORS[code][pc.lang]}
        </option>
      ))}
    </select>
  );
}

function LanguageSelect({ value }: { value?: string | null }) {
  return (
    <select id="language" name="language">
      <option value="en" selected={value !== 'nl'}>English</option>
      <option value="nl" selected={value === 'nl'}>Nederlands</option>
    </select>
  );
}

export function OrganisationsPage(props: { pc: PageContext; organisations: Organisation[]; canManage: boolean; q?: string; message?: string; error?: string; values?: Values }) {
  const { pc, organisations, canManage, values = {} } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('orgs.title')}>
      <h1>{t('orgs.title')}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <form class="inline" method="get" action="/admin/organisations">
        <label class="sr-only" for="q">{t('orgs.search')}</label>
        <input id="q" name="q" type="search" value={props.q ?? ''} />
        <button class="secondary" type="submit">{t('orgs.search')}</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('orgs.name')}</th>
              <th>{t('orgs.kind')}</th>
              <th>{t('orgs.sector')}</th>
              <th class="hide-small">{t('orgs.language')}</th>
            </tr>
          </thead>
          <tbody>
            {organisations.length === 0 ? (
              <tr>
                <td colSpan={4}>{t('orgs.none')}</td>
              </tr>
            ) : (
              organisations.map((o) => (
                <tr>
                  <td>{canManage ? <a href={`/admin/organisations/${o.id}`}>{o.name}</a> : o.name}</td>
                  <td>{t(`kind.${o.kind}` as MessageKey)}</td>
                  <td>{o.sector ? SECTORS[o.sector][pc.lang] : ''}</td>
                  <td class="hide-small">{o.language.toUpperCase()}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {canManage ? (
        <div class="card">
          <h2>{t('orgs.new')}</h2>
          <form class="stack" method="post" action="/admin/organisations">
            <Csrf pc={pc} />
            <label for="name">{t('orgs.name')}</label>
            <input id="name" name="name" required maxLength={200} value={values.name ?? ''} />
            <div class="row">
              <div>
                <label for="kind">{t('orgs.kind')}</label>
                <select id="kind" name="kind">
                  <option value="member" selected={values.kind !== 'operator'}>{t('kind.member')}</option>
                  <option value="operator" selected={values.kind === 'operator'}>{t('kind.operator')}</option>
                </select>
              </div>
              <div>
                <label for="sector">{t('orgs.sector')}</label>
                <SectorSelect pc={pc} value={values.sector ?? null} />
              </div>
              <div>
                <label for="language">{t('orgs.language')}</label>
                <LanguageSelect value={values.language ?? null} />
              </div>
            </div>
            <label for="notes">{t('orgs.notes')}</label>
            <textarea id="notes" name="notes" rows={2}>{values.notes ?? ''}</textarea>
            <button type="submit">{t('orgs.create')}</button>
          </form>
        </div>
      ) : null}
    </Layout>
  );
}

export function OrganisationPage(props: { pc: PageContext; organisation: Organisation; message?: string; error?: string }) {
  const { pc, organisation: o } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={o.name}>
      <h1>{o.name}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <p class="muted">
        {t(`kind.${o.kind}` as MessageKey)} · <a href={`/admin/users?organisation=${o.id}`}>{t('orgs.users')}</a> ·{' '}
        <a href={`/admin/keys?organisation=${o.id}`}>{t('orgs.keys')}</a>
      </p>
      <div class="card">
        <form class="stack" method="post" action={`/admin/organisations/${o.id}`}>
          <Csrf pc={pc} />
          <label for="name">{t('orgs.name')}</label>
          <input id="name" name="name" required maxLength={200} value={o.name} />
          <div class="row">
            {o.kind === 'member' ? (
              <div>
                <label for="sector">{t('orgs.sector')}</label>
                <SectorSelect pc={pc} value={o.sector} />
              </div>
            ) : null}
            <div>
              <label for="language">{t('orgs.language')}</label>
              <LanguageSelect value={o.language} />
            </div>
          </div>
          <label for="notes">{t('orgs.notes')}</label>
          <textarea id="notes" name="notes" rows={3}>{o.notes ?? ''}</textarea>
          <button type="submit">{t('orgs.save')}</button>
        </form>
      </div>
    </Layout>
  );
}
