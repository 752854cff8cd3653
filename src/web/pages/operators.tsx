import type { Operator } from '../../registry/operators.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { PageContext } from '../page-context.js';

type Values = Partial<Record<'name' | 'language' | 'notes' | 'asns' | 'prefixes' | 'contacts', string>>;

function OperatorFields({ pc, values }: { pc: PageContext; values: Values }) {
  const { t } = pc;
  return (
    <>
      <div class="row">
        <div>
          <label for="name">{t('orgs.name')}</label>
          <input id="name" name="name" required maxLength={200} value={values.name ?? ''} />
        </div>
        <div>
          <label for="language">{t('orgs.language')}</label>
          <select id="language" name="language">
            <option value="en" selected={values.language !== 'nl'}>English</option>
            <option value="nl" selected={values.language === 'nl'}>Nederlands</option>
          </select>
        </div>
      </div>
      <label for="asns">{t('ops.asns')}</label>
      <input id="asns" name="asns" value={values.asns ?? ''} placeholder="AS1136 AS286" />
      <label for="prefixes">{t('ops.prefixes')}</label>
      <textarea id="prefixes" name="prefixes" rows={2} placeholder="31.149.0.0/16 2a02:a440::/29">{values.prefixes ?? ''}</textarea>
      <label for="contacts">{t('ops.contacts')}</label>
      <input id="contacts" name="contacts" value={values.contacts ?? ''} placeholder="abuse@example.net" />
      <label for="notes">{t('orgs.notes')}</label>
      <textarea id="notes" name="notes" rows={2}>{values.notes ?? ''}</textarea>
    </>
  );
}

export function valuesOf(o: Operator): Values {
  return {
    name: o.organisation.name,
    language: o.organisation.language,
    notes: o.organisation.notes ?? '',
    asns: o.asns.map((a) => `AS${a}`).join(' '),
    prefixes: o.prefixes.join(' '),
    contacts: o.contacts.join(' '),
  };
}

export function OperatorsPage(props: { pc: PageContext; operators: Operator[]; q?: string; canManage: boolean; message?: string; error?: string; values?: Values; csv?: string }) {
  const { pc, operators, canManage } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('ops.title')}>
      <h1>{t('ops.title')}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <form class="inline" method="get" action="/operators">
        <label class="sr-only" for="q">{t('ops.search')}</label>
        <input id="q" name="q" type="search" placeholder={t('ops.search')} value={props.q ?? ''} />
        <button class="secondary" type="submit">{t('orgs.search')}</button>
        <a href="/api/v1/operators/export.csv">{t('ops.export')}</a>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('orgs.name')}</th>
              <th>AS</th>
              <th class="hide-small">{t('lookup.network')}</th>
              <th>{t('lookup.contacts')}</th>
            </tr>
          </thead>
          <tbody>
            {operators.length === 0 ? (
              <tr>
                <td colSpan={4}>{t('ops.none')}</td>
              </tr>
            ) : (
              operators.map((o) => (
                <tr>
                  <td>{canManage ? <a href={`/operators/${o.organisation.id}`}>{o.organisation.name}</a> : o.organisation.name}</td>
                  <td class="mono">{o.asns.map((a) => `AS${a}`).join(' ')}</td>
                  <td class="mono hide-small">{o.prefixes.slice(0, 5).join(' ')}{o.prefixes.length > 5 ? ` … (+${o.prefixes.length - 5})` : ''}</td>
                  <td class="mono">{o.contacts.join(' ')}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {canManage ? (
        <>
          <div class="card">
            <h2>{t('ops.new')}</h2>
            <form class="stack" method="post" action="/operators">
              <Csrf pc={pc} />
              <OperatorFields pc={pc} values={props.values ?? {}} />
              <button type="submit">{t('orgs.create')}</button>
            </form>
          </div>
          <div class="card">
            <h2>{t('ops.import')}</h2>
            <p class="muted">{t('ops.importHelp')}</p>
            <form class="stack" method="post" action="/operators/import">
              <Csrf pc={pc} />
              <label class="sr-only" for="csv">CSV</label>
              <textarea id="csv" name="csv" rows={5} class="mono">{props.csv ?? ''}</textarea>
              <button type="submit">{t('ops.import')}</button>
            </form>
          </div>
        </>
      ) : null}
    </Layout>
  );
}

export function OperatorPage(props: { pc: PageContext; operator: Operator; message?: string; error?: string; values?: Values }) {
  const { pc, operator } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={operator.organisation.name}>
      <h1>{operator.organisation.name}</h1>
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <div class="card">
        <form class="stack" method="post" action={`/operators/${operator.organisation.id}`}>
          <Csrf pc={pc} />
          <OperatorFields pc={pc} values={props.values ?? valuesOf(operator)} />
          <button type="submit">{t('orgs.save')}</button>
        </form>
      </div>
    </Layout>
  );
}
