/** Handler pages: the case list and one case (timeline, hosts, recipients, rejected lines, comments, evidence). */
import type { ComponentChildren } from 'preact';
import type { Case, CaseComment, EvidenceInfo } from '../../hotline/cases/cases.js';
import type { CaseEvent } from '../../hotline/cases/case-events.js';
import { CASE_STATES, TRANSITIONS, type CaseState } from '../../hotline/cases/case-states.js';
import type { CaseHost } from '../../hotline/cases/case-hosts.js';
import type { RecipientGroup, UnassignedGroup } from '../../hotline/cases/recipients.js';
import type { FlaggedHosts } from '../../hotline/cases/flagged-hosts.js';
import type { RejectedLine } from '../../hotline/intake/intake-types.js';
import type { User } from '../../accounts/users.js';
import { Csrf, Layout, Notice } from '../layout.js';
import type { MessageKey } from '../i18n.js';
import type { PageContext } from '../page-context.js';
import { FORMATS, RejectedTable } from './report.js';

const stateKey = (s: string) => `state.${s}` as MessageKey;

export function CasesPage({ pc, cases, state }: { pc: PageContext; cases: Case[]; state?: CaseState }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('cases.title')}>
      <h1>{t('cases.title')}</h1>
      <form class="inline" method="get" action="/cases">
        <label for="state">{t('cases.filter')}</label>
        <select id="state" name="state">
          <option value="">{t('common.all')}</option>
          {CASE_STATES.map((s) => (
            <option value={s} selected={state === s}>{t(stateKey(s))}</option>
          ))}
        </select>
        <button class="secondary" type="submit">{t('orgs.search')}</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>{t('report.what')}</th>
              <th>{t('cases.filter')}</th>
              <th>{t('cases.hosts')}</th>
              <th class="hide-small">{t('common.created')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.length === 0 ? (
              <tr>
                <td colSpan={5}>{t('cases.none')}</td>
              </tr>
            ) : (
              cases.map((c) => (
                <tr>
                  <td class="mono">
                    <a href={`/cases/${c.caseId}`}>{c.caseId}</a>
                  </td>
                  <td>{c.title}</td>
                  <td>{t(stateKey(c.state))}</td>
                  <td>
                    {c.hosts.total} ({c.hosts.inScope} {t('cases.inScope')})
                  </td>
                  <td class="hide-small">{c.createdAt.slice(0, 10)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export interface CasePageProps {
  pc: PageContext;
  c: Case;
  events: CaseEvent[];
  recipients: RecipientGroup[];
  unassigned: UnassignedGroup[];
  scope: Array<{ reason: string | null; hosts: number }>;
  rejected: RejectedLine[];
  comments: CaseComment[];
  evidence: EvidenceInfo[];
  staff: User[];
  canManage: boolean;
  /** Hosts on a MISP warninglist (known false positives), when the case has any. */
  flagged?: FlaggedHosts;
  /** Sections after the description (the hub's indicators among the hosts). */
  children?: ComponentChildren;
  message?: string;
  error?: string;
}

export function CasePage(p: CasePageProps) {
  const { pc, c, canManage } = p;
  const { t } = pc;
  const base = `/cases/${c.caseId}`;
  return (
    <Layout pc={pc} title={c.caseId}>
      <h1>
        <span class="mono">{c.caseId}</span> {c.title}
      </h1>
      {p.message ? <Notice kind="ok">{p.message}</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <p data-testid="case-state">
        <strong>{t(stateKey(c.state))}</strong> · <span class="mono">{c.classification}</span>
        {c.cves.length > 0 ? ` · ${c.cves.join(' ')}` : ''}
        {c.product ? ` · ${c.product}${c.versions ? ` (${c.versions})` : ''}` : ''}
      </p>
      {c.primaryCaseId ? (
        <p>
          <a href={`/cases/${c.primaryCaseId}`}>{t('case.duplicateOf', { caseId: c.primaryCaseId })}</a>
        </p>
      ) : null}
      {c.description ? <p class="prewrap">{c.description}</p> : null}
      {p.children}
      {canManage && (c.state === 'validated' || c.state === 'notifying' || c.state === 'closed') ? (
        <p>
          {c.state !== 'closed' ? (
            <a class="button" href={`${base}/notify`} data-testid="notify-link">
              {t('case.notifyOperators')}
            </a>
          ) : null}{' '}
          <a href={`${base}/publish`}>{t('pub.edit')}</a>
        </p>
      ) : null}

      {canManage && TRANSITIONS[c.state].length > 0 ? (
        <section>
          <h2>{t('case.move')}</h2>
          <form class="stack" method="post" action={`${base}/state`}>
            <Csrf pc={pc} />
            <label for="reason">{t('case.reason')}</label>
            <input id="reason" name="reason" maxLength={2000} />
            <p>
              {TRANSITIONS[c.state]
                .filter((s) => s !== 'duplicate')
                .map((s) => (
                  <button type="submit" name="state" value={s} class={s === 'rejected' ? 'secondary' : undefined}>
                    {t('case.moveTo', { state: t(stateKey(s)) })}
                  </button>
                ))}
            </p>
          </form>
          {TRANSITIONS[c.state].includes('duplicate') ? (
            <form class="inline" method="post" action={`${base}/merge`}>
              <Csrf pc={pc} />
              <label for="primary">{t('case.merge')}</label>
              <input id="primary" name="primary" placeholder="BKN-2026-00001" maxLength={40} />
              <button class="secondary" type="submit">{t('case.mergeButton')}</button>
            </form>
          ) : null}
        </section>
      ) : null}

      <section>
        <h2>{t('cases.hosts')}</h2>
        <p data-testid="hosts-summary">
          {t('case.hostsSummary', { total: c.hosts.total, inScope: c.hosts.inScope, outOfScope: c.hosts.outOfScope, noContact: c.hosts.noContact, rejected: c.rejectedLines })}
        </p>
        {c.hosts.total > 0 ? (
          <p>
            <a href={`${base}/hosts`}>{t('case.viewHosts')}</a>
          </p>
        ) : null}
        <h3>{t('case.recipients')}</h3>
        {p.recipients.length === 0 ? (
          <p>{t('case.noRecipients')}</p>
        ) : (
          <div class="table-wrap">
            <table data-testid="recipients">
              <thead>
                <tr>
                  <th>{t('case.recipient')}</th>
                  <th>{t('lookup.operator')}</th>
                  <th>{t('lookup.source')}</th>
                  <th>{t('cases.hosts')}</th>
                </tr>
              </thead>
              <tbody>
                {p.recipients.map((r) => (
                  <tr>
                    <td class="mono">{r.recipient}</td>
                    <td>{r.operator?.name ?? ''}</td>
                    <td>{r.contactSource ?? ''}</td>
                    <td>{r.hosts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {p.unassigned.length > 0 ? (
          <>
            <h3>{t('case.unassigned')}</h3>
            <div class="table-wrap">
              <table data-testid="unassigned">
                <thead>
                  <tr>
                    <th>AS</th>
                    <th>{t('lookup.operator')}</th>
                    <th>{t('lookup.network')}</th>
                    <th>{t('cases.hosts')}</th>
                    {canManage ? <th>{t('case.assignContact')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {p.unassigned.map((u) => (
                    <tr>
                      <td class="mono">{u.asn !== null ? `AS${u.asn}` : ''}</td>
                      <td>{u.operator?.name ?? ''}</td>
                      <td class="mono">
                        {u.network ?? ''} {u.country ?? ''}
                      </td>
                      <td>{u.hosts}</td>
                      {canManage ? (
                        <td>
                          <form class="stack" method="post" action={`${base}/contact`}>
                            <Csrf pc={pc} />
                            {u.operator ? <input type="hidden" name="operator_id" value={String(u.operator.id)} /> : <input type="hidden" name="asn" value={String(u.asn ?? '')} />}
                            <input name="email" type="email" required placeholder="abuse@example.net" aria-label={t('case.recipient')} />
                            {u.operator ? null : <input name="operator_name" placeholder={t('case.operatorName')} aria-label={t('case.operatorName')} />}
                            <label>
                              <input type="checkbox" name="save" value="1" /> {t('case.saveToDirectory')}
                            </label>
                            <button type="submit">{t('case.assignContact')}</button>
                          </form>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
        {p.scope.length > 0 ? (
          <>
            <h3>{t('case.scope')}</h3>
            <ul>
              {p.scope.map((s) => (
                <li>
                  {s.reason ?? t('case.inScope')}: {s.hosts}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {p.flagged && p.flagged.total > 0 ? <FlaggedSection pc={pc} flagged={p.flagged} /> : null}
        {canManage && c.state !== 'duplicate' && c.state !== 'rejected' ? (
          <form class="stack" method="post" action={`${base}/hosts`} enctype="multipart/form-data">
            <h3>{t('case.uploadHosts')}</h3>
            <Csrf pc={pc} />
            <label for="hosts">{t('report.hosts')}</label>
            <textarea id="hosts" name="hosts" rows={4} class="mono"></textarea>
            <div class="row">
              <div>
                <label for="hosts_file">{t('report.hostsFile')}</label>
                <input id="hosts_file" name="hosts_file" type="file" />
              </div>
              <div>
                <label for="format">{t('report.format')}</label>
                <select id="format" name="format">
                  {FORMATS.map((f) => (
                    <option value={f}>{f}</option>
                  ))}
                </select>
              </div>
            </div>
            <label>
              <input type="checkbox" name="strict" value="1" /> {t('case.strict')}
            </label>
            <button type="submit">{t('case.upload')}</button>
          </form>
        ) : null}
        {p.rejected.length > 0 ? (
          <>
            <h3>{t('case.rejected')}</h3>
            <RejectedTable pc={pc} lines={p.rejected} />
          </>
        ) : null}
      </section>

      <section>
        <h2>{t('case.handlers')}</h2>
        <p>{c.handlers.map((h) => h.name ?? h.email).join(', ') || t('case.none')}</p>
        {canManage ? (
          <form class="inline" method="post" action={`${base}/assign`}>
            <Csrf pc={pc} />
            <select name="user_id" aria-label={t('case.handlers')}>
              {p.staff.map((u) => (
                <option value={String(u.id)}>{u.name ?? u.email}</option>
              ))}
            </select>
            <button class="secondary" type="submit">{t('case.assign')}</button>
          </form>
        ) : null}
      </section>

      <section>
        <h2>{t('case.comments')}</h2>
        {p.comments.map((cm) => (
          <div class="comment">
            <p>
              <small>
                {cm.author} · {cm.createdAt.slice(0, 16).replace('T', ' ')}
              </small>
            </p>
            <p class="prewrap">{cm.body}</p>
          </div>
        ))}
        {canManage ? (
          <form class="stack" method="post" action={`${base}/comment`}>
            <Csrf pc={pc} />
            <textarea name="body" rows={3} required maxLength={10000} aria-label={t('case.addComment')}></textarea>
            <button class="secondary" type="submit">{t('case.addComment')}</button>
          </form>
        ) : null}
      </section>

      <section>
        <h2>{t('case.evidence')}</h2>
        <ul>
          {p.evidence.map((e) => (
            <li>
              <a href={`/api/v1/cases/${c.caseId}/evidence/${e.id}`}>{e.name}</a> ({e.size} B, {e.contentType}) · <span class="mono">{e.sha256.slice(0, 16)}</span>
            </li>
          ))}
        </ul>
        {canManage ? (
          <form class="inline" method="post" action={`${base}/evidence`} enctype="multipart/form-data">
            <Csrf pc={pc} />
            <label for="evidence">{t('case.addEvidence')}</label>
            <input id="evidence" name="file" type="file" required />
            <button class="secondary" type="submit">{t('case.upload')}</button>
          </form>
        ) : null}
      </section>

      <section>
        <h2>{t('case.timeline')}</h2>
        <ol data-testid="timeline">
          {p.events.map((e) => (
            <li>
              <time dateTime={e.at}>{e.at.slice(0, 16).replace('T', ' ')}</time> · {e.actor ?? ''} · {t(`event.${e.kind}` as MessageKey)}
              {e.kind === 'state' ? `: ${t(stateKey(String(e.details.from)))} → ${t(stateKey(String(e.details.to)))}${e.details.reason ? ` (${String(e.details.reason)})` : ''}` : ''}
              {e.kind === 'hosts' ? `: ${String(e.details.hosts)} / ${String(e.details.rejected)}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </Layout>
  );
}

/** Hosts a MISP warninglist flags: kept and notified, shown so a handler can look first. */
function FlaggedSection({ pc, flagged }: { pc: PageContext; flagged: FlaggedHosts }) {
  const { t } = pc;
  return (
    <div data-testid="flagged">
      <h3>{t('case.flagged')}</h3>
      <p>{t('case.flaggedIntro', { hosts: flagged.total })}</p>
      <ul>
        {flagged.lists.map((l) => (
          <li>
            {l.name}: {l.hosts}
          </li>
        ))}
      </ul>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>IP</th>
              <th>Port</th>
              <th>{t('preview.warnings')}</th>
              <th>{t('case.recipient')}</th>
            </tr>
          </thead>
          <tbody>
            {flagged.hosts.map((h) => (
              <tr>
                <td class="mono">{h.ip}</td>
                <td>{h.port ?? ''}</td>
                <td>{h.warnings.join(', ')}</td>
                <td class="mono">{h.recipient ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {flagged.total > flagged.hosts.length ? <p>{t('case.flaggedMore', { more: flagged.total - flagged.hosts.length })}</p> : null}
    </div>
  );
}

export function CaseHostsPage({ pc, c, hosts, next }: { pc: PageContext; c: Case; hosts: CaseHost[]; next: number | null }) {
  const { t } = pc;
  return (
    <Layout pc={pc} title={t('case.hostsTitle', { caseId: c.caseId })}>
      <h1>{t('case.hostsTitle', { caseId: c.caseId })}</h1>
      <p>
        <a href={`/cases/${c.caseId}`}>{c.title}</a>
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>IP</th>
              <th>Port</th>
              <th>AS</th>
              <th>{t('lookup.country')}</th>
              <th>{t('case.recipient')}</th>
              <th>{t('case.scope')}</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <tr>
                <td class="mono">{h.ip}</td>
                <td>{h.port ?? ''}</td>
                <td class="mono">{h.asn !== null ? `AS${h.asn}` : ''}</td>
                <td>{h.country ?? ''}</td>
                <td class="mono">{h.recipient ?? ''}</td>
                <td>{h.outOfScope ?? t('case.inScope')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next !== null ? (
        <p>
          <a href={`/cases/${c.caseId}/hosts?after=${next}`}>{t('case.next')}</a>
        </p>
      ) : null}
    </Layout>
  );
}
