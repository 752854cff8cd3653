/**
 * Member pages: the coordinator's list of member organisations, and one member's profile (contacts, webhook,
 * preferences, API keys), which its member admins and the coordinator's admin change, its other users and the
 * coordinator's analysts read, and on which staff also see the delivery history of its alerts and digests.
 */
import { apiKeyState, type ApiKey } from '../../accounts/api-keys.js';
import { SECTOR_CODES, SECTORS, isSector } from '../../accounts/sectors.js';
import type { MemberActivity, MemberDeliveryHistory, MemberProfile, MemberSummary, WebhookState } from '../../hub/members/index.js';
import { TLP_LEVELS } from '../../hub/tlp.js';
import type { FieldProblem } from '../../platform/errors.js';
import type { MessageKey } from '../i18n.js';
import { Csrf, Layout, Notice, SecretNotice } from '../layout.js';
import type { PageContext } from '../page-context.js';

const when = (s: string | null) => (s ? s.slice(0, 16).replace('T', ' ') : '');
const sectorName = (pc: PageContext, s: string | null) => (s && isSector(s) ? SECTORS[s][pc.lang] : '');

export type MemberSection = 'contacts' | 'webhook' | 'preferences' | 'keys';

/** A refused form: the section it belongs to, the message, and the fields it names. */
export interface MemberFormError {
  section: MemberSection;
  message: string;
  problems: FieldProblem[];
}

function WebhookStateTag({ pc, state }: { pc: PageContext; state: WebhookState }) {
  const kind = state === 'ok' ? 'active' : state === 'failing' || state === 'retrying' ? 'revoked' : '';
  return <span class={`tag ${kind}`} data-testid="webhook-state">{pc.t(`mem.wh.${state}` as MessageKey)}</span>;
}

function preferencesText(pc: PageContext, p: MemberProfile['preferences']): string {
  const sectors = p.sectors === null ? pc.t('mem.allSectors') : p.sectors.map((s) => sectorName(pc, s)).join(', ');
  return `${p.tlpLevels.join(', ')} · ${sectors} · ${pc.t(`mem.delivery.${p.delivery}` as MessageKey)}`;
}

export function MembersPage(props: { pc: PageContext; members: MemberSummary[]; activity: Map<number, MemberActivity>; sector?: string }) {
  const { pc, members } = props;
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('mem.title')}>
      <h1>{t('mem.title')}</h1>
      <form method="get" action="/members" class="inline">
        <label for="sector">{t('mem.sector')}</label>
        <select id="sector" name="sector">
          <option value="">{t('mem.allSectors')}</option>
          {SECTOR_CODES.map((s) => <option value={s} selected={props.sector === s}>{SECTORS[s][pc.lang]}</option>)}
        </select>
        <button type="submit" class="secondary">{t('mem.filter')}</button>
      </form>
      {members.length === 0 ? <p>{t('mem.none')}</p> : (
        <div class="table-wrap">
          <table data-testid="members">
            <thead>
              <tr>
                <th>{t('mem.organisation')}</th>
                <th>{t('mem.sector')}</th>
                <th>{t('mem.contacts')}</th>
                <th>{t('mem.webhook')}</th>
                <th>{t('mem.preferences')}</th>
                <th>{t('mem.lastAck')}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const a = props.activity.get(m.organisation.id);
                return (
                  <tr data-testid={`member-${m.organisation.id}`}>
                    <td><a href={`/members/${m.organisation.id}`}>{m.organisation.name}</a>{m.admins > 0 ? <div class="muted">{t('mem.adminsN', { n: m.admins })}</div> : null}</td>
                    <td>{sectorName(pc, m.organisation.sector)}</td>
                    <td>{m.contacts}</td>
                    <td>{a ? <WebhookStateTag pc={pc} state={a.webhook.state} /> : null}{a?.webhook.lastAt ? <div class="muted">{when(a.webhook.lastAt)}</div> : null}</td>
                    <td>{preferencesText(pc, m.preferences)}</td>
                    <td>{a?.lastAcknowledgedAt ? when(a.lastAcknowledgedAt) : t('common.never')}{a && a.unacknowledged > 0 ? <div class="muted">{t('mem.openN', { n: a.unacknowledged, of: a.alerts })}</div> : null}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

function FieldError({ error, section, field }: { error: MemberFormError | undefined; section: MemberSection; field: string }) {
  const p = error?.section === section ? error.problems.find((x) => x.field === field) : undefined;
  return p ? <p class="field-error" role="alert" data-testid={`error-${section}-${field}`}>{p.message}</p> : null;
}

function SectionError({ error, section }: { error: MemberFormError | undefined; section: MemberSection }) {
  return error?.section === section ? <Notice kind="error">{error.message}</Notice> : null;
}

export interface MemberPageProps {
  pc: PageContext;
  profile: MemberProfile;
  activity: MemberActivity | null;
  keys: ApiKey[];
  now: Date;
  /** Member admin of this organisation, or the coordinator's admin. */
  canManage: boolean;
  /** Coordinator staff: sees the delivery history. */
  history?: MemberDeliveryHistory;
  digestHour: number;
  message?: string;
  error?: MemberFormError;
  /** A secret shown once: a new webhook secret, or a new API key. */
  secret?: { kind: 'webhook' | 'key'; value: string };
  values?: Record<string, string | string[] | undefined>;
}

export function MemberPage(props: MemberPageProps) {
  const { pc, profile, canManage, error } = props;
  const { t } = pc;
  const org = profile.organisation;
  const base = `/members/${org.id}`;
  const v = props.values ?? {};
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const prefs = profile.preferences;
  const chosenTlp = error?.section === 'preferences' && v.tlp_levels !== undefined ? [v.tlp_levels].flat() : prefs.tlpLevels;
  return (
    <Layout pc={pc} title={org.name}>
      <h1>{org.name}</h1>
      <p class="muted">
        {t('kind.member')}
        {org.sector ? ` · ${sectorName(pc, org.sector)}` : ''}
        {profile.admins.length > 0 ? ` · ${t('mem.admins')}: ${profile.admins.map((a) => a.name ?? a.email).join(', ')}` : ''}
      </p>
      {canManage ? null : <p class="muted" data-testid="read-only">{t('mem.readOnly')}</p>}
      {props.message ? <Notice kind="ok">{props.message}</Notice> : null}
      {props.secret ? (
        <SecretNotice testId={props.secret.kind === 'webhook' ? 'webhook-secret' : 'new-key'} intro={t(props.secret.kind === 'webhook' ? 'mem.secretOnce' : 'keys.created')}>
          {props.secret.value}
        </SecretNotice>
      ) : null}

      <section id="contacts" data-testid="contacts">
        <h2>{t('mem.contacts')}</h2>
        <p class="muted">{t('mem.contactsHelp')}</p>
        <SectionError error={error} section="contacts" />
        {profile.contacts.length === 0 ? <p>{t('mem.noContacts')}</p> : (
          <table>
            <thead><tr><th>{t('mem.email')}</th><th>{t('mem.language')}</th>{canManage ? <th>{t('common.actions')}</th> : null}</tr></thead>
            <tbody>
              {profile.contacts.map((c) => (
                <tr>
                  <td>{c.email}</td>
                  <td>
                    {canManage ? (
                      <form method="post" action={`${base}/contacts/${c.id}`} class="inline">
                        <Csrf pc={pc} />
                        <label class="sr-only" for={`language-${c.id}`}>{t('mem.language')}</label>
                        <select id={`language-${c.id}`} name="language">
                          <option value="en" selected={c.language === 'en'}>English</option>
                          <option value="nl" selected={c.language === 'nl'}>Nederlands</option>
                        </select>
                        <button type="submit" class="secondary">{t('mem.save')}</button>
                      </form>
                    ) : c.language === 'nl' ? 'Nederlands' : 'English'}
                  </td>
                  {canManage ? (
                    <td>
                      <form method="post" action={`${base}/contacts/${c.id}/remove`} class="inline">
                        <Csrf pc={pc} />
                        <button type="submit" class="danger">{t('mem.remove')}</button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canManage ? (
          <form method="post" action={`${base}/contacts`} class="stack">
            <Csrf pc={pc} />
            <div class="row">
              <div>
                <label for="contact-email">{t('mem.email')}</label>
                <input id="contact-email" name="email" type="email" required maxLength={254} value={error?.section === 'contacts' ? str('email') : ''} aria-invalid={error?.section === 'contacts' && error.problems.some((p) => p.field === 'email') ? 'true' : undefined} />
                <FieldError error={error} section="contacts" field="email" />
              </div>
              <div>
                <label for="contact-language">{t('mem.language')}</label>
                <select id="contact-language" name="language">
                  <option value="" selected={str('language') === ''}>{t('mem.orgLanguage', { lang: org.language === 'nl' ? 'Nederlands' : 'English' })}</option>
                  <option value="en" selected={str('language') === 'en'}>English</option>
                  <option value="nl" selected={str('language') === 'nl'}>Nederlands</option>
                </select>
              </div>
            </div>
            <button type="submit">{t('mem.addContact')}</button>
          </form>
        ) : null}
      </section>

      <section id="webhook" data-testid="webhook">
        <h2>{t('mem.webhook')}</h2>
        <p class="muted">{t('mem.webhookHelp')}</p>
        <SectionError error={error} section="webhook" />
        {profile.webhook ? (
          <p>
            <code>{profile.webhook.url}</code> · {t('mem.secretHint')}: <code>{profile.webhook.secretHint}</code> · {t('mem.setAt', { at: when(profile.webhook.setAt) })}
            {profile.webhook.rotatedAt ? ` · ${t('mem.rotatedAt', { at: when(profile.webhook.rotatedAt) })}` : ''}
            {props.activity ? <> · <WebhookStateTag pc={pc} state={props.activity.webhook.state} /></> : null}
            {props.activity?.webhook.lastError ? <span class="muted"> ({props.activity.webhook.lastError})</span> : null}
          </p>
        ) : <p>{t('mem.noWebhook')}</p>}
        {canManage ? (
          <>
            <form method="post" action={`${base}/webhook`} class="stack">
              <Csrf pc={pc} />
              <label for="webhook-url">{t('mem.webhookUrl')}</label>
              <input id="webhook-url" name="url" type="url" required maxLength={2000} value={error?.section === 'webhook' ? str('url') : profile.webhook?.url ?? ''} aria-invalid={error?.section === 'webhook' && error.problems.some((p) => p.field === 'url') ? 'true' : undefined} />
              <FieldError error={error} section="webhook" field="url" />
              <button type="submit">{t('mem.setWebhook')}</button>
            </form>
            {profile.webhook ? (
              <p>
                <form method="post" action={`${base}/webhook/test`} class="inline">
                  <Csrf pc={pc} />
                  <button type="submit" class="secondary">{t('mem.testWebhook')}</button>
                </form>{' '}
                <form method="post" action={`${base}/webhook/rotate`} class="inline">
                  <Csrf pc={pc} />
                  <button type="submit" class="secondary">{t('mem.rotate')}</button>
                </form>{' '}
                <form method="post" action={`${base}/webhook/clear`} class="inline">
                  <Csrf pc={pc} />
                  <button type="submit" class="danger">{t('mem.clearWebhook')}</button>
                </form>
              </p>
            ) : null}
          </>
        ) : null}
      </section>

      <section id="preferences" data-testid="preferences">
        <h2>{t('mem.preferences')}</h2>
        <SectionError error={error} section="preferences" />
        {canManage ? (
          <form method="post" action={`${base}/preferences`} class="stack">
            <Csrf pc={pc} />
            <fieldset>
              <legend>{t('mem.tlpLevels')}</legend>
              {TLP_LEVELS.map((l) => <label><input type="checkbox" name="tlp_levels" value={l} checked={chosenTlp.includes(l)} /> TLP:{l}</label>)}
              <FieldError error={error} section="preferences" field="tlp_levels" />
            </fieldset>
            <fieldset>
              <legend>{t('mem.sectors')}</legend>
              <p class="muted">{t('mem.sectorsHelp')}</p>
              {SECTOR_CODES.map((s) => <label><input type="checkbox" name="sectors" value={s} checked={(prefs.sectors ?? []).includes(s)} /> {SECTORS[s][pc.lang]}</label>)}
              <FieldError error={error} section="preferences" field="sectors" />
            </fieldset>
            <fieldset>
              <legend>{t('mem.email')}</legend>
              {(['immediate', 'digest'] as const).map((d) => <label><input type="radio" name="delivery" value={d} checked={prefs.delivery === d} /> {t(`mem.delivery.${d}` as MessageKey)}</label>)}
              <p class="muted">{t('mem.digestHelp', { hour: String(props.digestHour).padStart(2, '0') })}</p>
              <FieldError error={error} section="preferences" field="delivery" />
            </fieldset>
            <button type="submit">{t('mem.savePreferences')}</button>
          </form>
        ) : (
          <p data-testid="preferences-text">{preferencesText(pc, prefs)}</p>
        )}
      </section>

      <section id="keys" data-testid="keys">
        <h2>{t('mem.keys')}</h2>
        <p class="muted">{t('mem.keysHelp')}</p>
        <SectionError error={error} section="keys" />
        {props.keys.length === 0 ? <p>{t('keys.none')}</p> : (
          <table>
            <thead><tr><th>{t('keys.prefix')}</th><th>{t('keys.state')}</th><th>{t('common.created')}</th><th>{t('keys.lastUsed')}</th>{canManage ? <th>{t('common.actions')}</th> : null}</tr></thead>
            <tbody>
              {props.keys.map((k) => {
                const state = apiKeyState(k, props.now);
                return (
                  <tr>
                    <td><span class="mono">{k.prefix}…</span>{k.label ? <div class="muted">{k.label}</div> : null}</td>
                    <td><span class={`tag ${state}`}>{t(`keys.state.${state}` as MessageKey)}</span>{k.expiresAt ? <div class="muted">{when(k.expiresAt)}</div> : null}</td>
                    <td>{when(k.createdAt)}</td>
                    <td>{k.lastUsedAt ? when(k.lastUsedAt) : t('common.never')}</td>
                    {canManage ? (
                      <td>
                        {state === 'active' ? (
                          <form method="post" action={`${base}/keys/${k.id}/revoke`} class="inline">
                            <Csrf pc={pc} />
                            <button type="submit" class="danger">{t('keys.revoke')}</button>
                          </form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {canManage ? (
          <form method="post" action={`${base}/keys`} class="stack">
            <Csrf pc={pc} />
            <div class="row">
              <div>
                <label for="key-label">{t('keys.label')}</label>
                <input id="key-label" name="label" maxLength={200} value={error?.section === 'keys' ? str('label') : ''} />
              </div>
              <div>
                <label for="key-expires">{t('keys.expires')}</label>
                <input id="key-expires" name="expires" maxLength={40} value={error?.section === 'keys' ? str('expires') : ''} aria-invalid={error?.section === 'keys' && error.problems.some((p) => p.field === 'expires') ? 'true' : undefined} />
                <FieldError error={error} section="keys" field="expires" />
              </div>
            </div>
            <button type="submit">{t('keys.create')}</button>
          </form>
        ) : null}
      </section>

      {props.history ? <History pc={pc} history={props.history} /> : null}
    </Layout>
  );
}

function Messages({ messages }: { messages: MemberDeliveryHistory['alerts'][number]['messages'] }) {
  return (
    <ul>
      {messages.map((m) => (
        <li>{m.channel} {m.destination}: <span class={`tag ${m.status === 'sent' ? 'active' : m.status === 'failed' ? 'revoked' : ''}`}>{m.status}</span>{m.attempts > 1 ? ` ×${m.attempts}` : ''}{m.lastError ? ` (${m.lastError})` : ''}</li>
      ))}
    </ul>
  );
}

function History({ pc, history }: { pc: PageContext; history: MemberDeliveryHistory }) {
  const { t } = pc;
  return (
    <section id="history" data-testid="history">
      <h2>{t('mem.history')}</h2>
      {history.alerts.length === 0 ? <p>{t('mem.noHistory')}</p> : (
        <table>
          <thead><tr><th>{t('mem.alert')}</th><th>{t('al.ack')}</th><th>{t('al.messages')}</th></tr></thead>
          <tbody>
            {history.alerts.map((a) => (
              <tr data-testid={`history-${a.alertId}`}>
                <td><a href={`/alerts/${a.alertId}`}>{a.title}</a><div class="muted">TLP:{a.tlp} · {t(`al.state.${a.state}` as MessageKey)} · {when(a.addedAt)}</div></td>
                <td>{a.acknowledgedAt ? `${when(a.acknowledgedAt)} (${a.acknowledgedBy ?? ''})` : t('al.notAcked')}</td>
                <td>{a.messages.length === 0 ? <span class="muted">{t('mem.heldForDigest')}</span> : <Messages messages={a.messages} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history.digests.length > 0 ? (
        <>
          <h3>{t('mem.digests')}</h3>
          <table>
            <thead><tr><th>{t('mem.day')}</th><th>{t('mem.items')}</th><th>{t('al.messages')}</th></tr></thead>
            <tbody>
              {history.digests.map((d) => <tr><td>{d.day}</td><td>{d.items}</td><td><Messages messages={d.messages} /></td></tr>)}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
