/**
 * The hotline's pages: the public report form and status page, and the
 * handlers' case pages. Thin like the rest: forms post, the domain decides,
 * success redirects, a domain error shows the page again with the message.
 */
import { hubIndicatorsOfCase } from '../hub/correlation/case-links.js';
import { canSee, viewerOf } from '../hub/tlp.js';
import { CaseHubIndicators } from './pages/correlation.js';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type Permission } from '../accounts/policies.js';
import { listUsers } from '../accounts/users.js';
import type { Context } from '../platform/context.js';
import { assertPermission } from '../platform/http/authenticate.js';
import { BakenError } from '../platform/errors.js';
import { addComment, addEvidence, assignHandler, caseTimeline, changeState, getCase, listCases, listComments, listEvidence, mergeDuplicate } from '../hotline/cases/cases.js';
import { isCaseState } from '../hotline/cases/case-states.js';
import { listHosts, listRejected } from '../hotline/cases/case-hosts.js';
import { assignContact, hostsWithoutContact, recipientsOf, scopeSummary } from '../hotline/cases/recipients.js';
import { hostEventsOf, parseHostFormat, uploadHosts } from '../hotline/cases/upload-hosts.js';
import { flaggedHosts } from '../hotline/cases/flagged-hosts.js';
import { previewUpload } from '../hotline/cases/preview-upload.js';
import { configuredWarninglists } from '../hotline/cases/upload-warninglists.js';
import { checkCaseInput } from '../hotline/cases/cases.js';
import { carry, mappingOf, needsPreview, stepOf, uploadAsText, uploadOf } from './host-upload-form.js';
import { HostsPreviewPage } from './pages/hosts-preview.js';
import { reportStatus, submitReport } from '../hotline/reports/reports.js';
import { isFile, parseMultipart, type MultipartBody } from './multipart.js';
import { translator } from './i18n.js';
import { languageOf, pageContext } from './page-context.js';
import { formError } from './form-error.js';
import type { Language } from '../config.js';
import { CaseHostsPage, CasePage, CasesPage } from './pages/cases.js';
import { ReceiptPage, ReportPage, StatusPage, type ReportValues } from './pages/report.js';
import { sendPage } from './render.js';

type Body = MultipartBody | undefined;

function field(body: Body, name: string): string {
  const v = body?.[name];
  return typeof v === 'string' ? v : '';
}

/** Uploads also show a too-large refusal on the form, and the first problems by line and field. */
function uploadError(err: unknown, language: Language): string {
  if (err instanceof BakenError && err.kind === 'too_large') return err.messageIn(language);
  const message = formError(err, language);
  const problems = (err as BakenError).problems.slice(0, 5).map((p) => `${p.field}: ${p.message}`);
  return problems.length > 0 && !message.includes(problems[0]!) ? `${message} (${problems.join('; ')})` : message;
}

export async function hotlineWebRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const page = (request: FastifyRequest, reply: FastifyReply) => pageContext(ctx, request, reply);
  const needs = (permission: Permission) => async (request: FastifyRequest) => {
    if (!request.session) throw new BakenError('UNAUTHENTICATED');
    assertPermission(request, permission);
  };
  await app.register(rateLimit, { global: false });
  // Forms with a file field; the body stays bounded by each route's body limit.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, String(request.headers['content-type'] ?? '')));
    } catch (err) {
      done(new BakenError('BAD_INPUT', { detail: (err as Error).message }), undefined);
    }
  });

  // ---- public: the report form, the receipt, the status page

  app.get('/report', async (request, reply) => sendPage(reply, <ReportPage pc={page(request, reply)} />));

  app.post<{ Body: Body }>(
    '/report',
    { config: { csrf: true, rateLimit: { max: ctx.config.reportsPerHour, timeWindow: 3600_000 } }, bodyLimit: ctx.config.bodyLimitBytes },
    async (request, reply) => {
      const b = request.body;
      const pc = page(request, reply);
      // The honeypot: people never see the field, bots fill it. They get a receipt; nothing is saved.
      if (field(b, 'website').trim() !== '') {
        request.log.info('report form honeypot filled; dropped');
        return sendPage(reply, <ReceiptPage pc={pc} caseId={null} statusUrl={null} upload={null} />);
      }
      const values: ReportValues = Object.fromEntries(['title', 'description', 'classification', 'cves', 'product', 'versions', 'how_found', 'hosts', 'format', 'name', 'email', 'may_credit'].map((k) => [k, field(b, k)]));
      const hosts = uploadOf(b);
      const step = stepOf(b);
      try {
        const format = parseHostFormat(values.format);
        const mapping = mappingOf(b, format);
        if (hosts && step !== 'confirm') {
          // A CSV with a header is shown first (format, columns, first rows, rejected lines); nothing is saved yet.
          const preview = await previewUpload(ctx, hosts.input, { format, ...(mapping ? { mapping } : {}) });
          if (step === 'preview' || needsPreview(preview)) {
            checkCaseInput({ title: values.title ?? '', description: values.description ?? '', classification: values.classification ?? '', cves: (values.cves ?? '').split(/[\s,;]+/).filter((c) => c !== '') });
            const hidden = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'hosts' && k !== 'format')) as Record<string, string>;
            // The confirming request must fit the form's body limit with the other fields beside the upload.
            const carried = carry(hosts, ctx.config.bodyLimitBytes - 64 * 1024);
            return sendPage(reply, <HostsPreviewPage pc={pc} action="/report" preview={preview} format={preview.format ?? format} carried={carried} source={hosts.source} hidden={hidden} />);
          }
        }
        const warninglists = await configuredWarninglists(ctx);
        const r = await submitReport(
          ctx,
          request.caller,
          {
            title: values.title ?? '',
            description: values.description ?? '',
            classification: values.classification ?? '',
            cves: (values.cves ?? '').split(/[\s,;]+/).filter((c) => c !== ''),
            product: values.product || null,
            versions: values.versions || null,
            howFound: values.how_found || null,
            reporterName: values.name || null,
            reporterEmail: values.email ?? '',
            mayCredit: values.may_credit === '1',
            language: pc.lang,
          },
          { channel: 'form', hosts: hosts ? hostEventsOf(hosts.input, { format, ...(mapping ? { mapping } : {}), warninglists }) : null, hostsSource: hosts?.source ?? null },
        );
        const upload = r.upload ? { hosts: r.upload.stored, rejected: r.upload.summary.rejected, lines: r.upload.rejected } : null;
        return sendPage(reply, <ReceiptPage pc={pc} caseId={r.case.caseId} statusUrl={r.statusUrl} upload={upload} />, 201);
      } catch (err) {
        // A refused confirmation shows the form again; a small plain-text upload goes back into its textarea.
        const shown = step === 'confirm' || step === 'preview' ? { ...values, hosts: uploadAsText(hosts) } : values;
        return sendPage(reply, <ReportPage pc={pc} values={shown} error={uploadError(err, languageOf(ctx, request))} />, err instanceof BakenError && err.kind === 'too_large' ? 413 : 400);
      }
    },
  );

  app.get<{ Params: { token: string } }>('/reports/status/:token', { config: { rateLimit: { max: 600, timeWindow: 3600_000 } } }, async (request, reply) => {
    const status = await reportStatus(ctx, request.params.token);
    return sendPage(reply.header('referrer-policy', 'no-referrer'), <StatusPage pc={page(request, reply)} status={status} />);
  });

  // ---- handlers

  app.get<{ Querystring: { state?: string } }>('/cases', { preValidation: needs('cases:read') }, async (request, reply) => {
    const state = isCaseState(request.query.state) ? request.query.state : undefined;
    const cases = await listCases(ctx, { ...(state ? { state } : {}), limit: 200 });
    return sendPage(reply, <CasesPage pc={page(request, reply)} cases={cases} {...(state ? { state } : {})} />);
  });

  const casePage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: { message?: string; error?: string } = {}, status = 200) => {
    const c = await getCase(ctx, id);
    const [events, recipients, unassigned, scope, rejected, comments, evidence, users] = await Promise.all([
      caseTimeline(ctx, c.caseId),
      recipientsOf(ctx, c.caseId),
      hostsWithoutContact(ctx, c.caseId),
      scopeSummary(ctx, c.caseId),
      listRejected(ctx, c.caseId, { limit: 200 }),
      listComments(ctx, c.caseId),
      listEvidence(ctx, c.caseId),
      listUsers(ctx),
    ]);
    const staff = users.filter((u) => !u.disabled && (u.role === 'handler' || u.role === 'admin'));
    const flagged = await flaggedHosts(ctx, request.caller, c.caseId);
    // The hub's indicators among the hosts. Someone who may not read indicators (a handler) sees no RED ones.
    const seeAll = can(request.caller.actor, 'indicators:read');
    const viewer = viewerOf(request.caller.actor);
    const hub = (await hubIndicatorsOfCase(ctx, c.id)).filter((m) => seeAll || canSee(viewer, { tlp: m.indicator.tlp, organisationIds: [], namedUserIds: [] }));
    return sendPage(
      reply,
      <CasePage
        pc={page(request, reply)}
        c={c}
        events={events}
        recipients={recipients}
        unassigned={unassigned}
        scope={scope}
        rejected={rejected.lines}
        comments={comments}
        evidence={evidence}
        staff={staff}
        canManage={can(request.caller.actor, 'cases:manage')}
        flagged={flagged}
        {...extra}
      >
        <CaseHubIndicators pc={page(request, reply)} matches={hub} canOpen={seeAll} />
      </CasePage>,
      status,
    );
  };

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/cases/:id', { preValidation: needs('cases:read') }, async (request, reply) =>
    casePage(request, reply, request.params.id, request.query.saved ? { message: page(request, reply).t('case.saved') } : {}),
  );

  app.get<{ Params: { id: string }; Querystring: { after?: string } }>('/cases/:id/hosts', { preValidation: needs('cases:read') }, async (request, reply) => {
    const c = await getCase(ctx, request.params.id);
    const after = /^\d+$/.test(request.query.after ?? '') ? Number(request.query.after) : undefined;
    const { hosts, next } = await listHosts(ctx, request.caller, c.caseId, { limit: 500, ...(after !== undefined ? { after } : {}) });
    return sendPage(reply, <CaseHostsPage pc={page(request, reply)} c={c} hosts={hosts} next={next} />);
  });

  /** A form action on a case: run it, then back to the case page (with the error when the domain refused). */
  const action = (path: string, run: (request: FastifyRequest<{ Params: { id: string }; Body: Body }>, id: string) => Promise<string | void>, options: { bodyLimit?: number } = {}) =>
    app.post<{ Params: { id: string }; Body: Body }>(`/cases/:id/${path}`, { preValidation: needs('cases:manage'), ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}) }, async (request, reply) => {
      const c = await getCase(ctx, request.params.id);
      try {
        const message = await run(request, c.caseId);
        return message ? casePage(request, reply, c.caseId, { message }) : reply.redirect(`/cases/${c.caseId}?saved=1`, 303);
      } catch (err) {
        const error = uploadError(err, languageOf(ctx, request));
        return casePage(request, reply, c.caseId, { error }, err instanceof BakenError && err.kind === 'conflict' ? 409 : 400);
      }
    });

  action('state', async (request, id) => {
    const to = field(request.body, 'state');
    if (!isCaseState(to)) throw new BakenError('VALIDATION', { detail: `state: "${to}" is not a state` });
    await changeState(ctx, request.caller, id, to, field(request.body, 'reason') || null);
  });
  action('merge', async (request, id) => {
    await mergeDuplicate(ctx, request.caller, id, field(request.body, 'primary'));
  });
  action('assign', async (request, id) => {
    await assignHandler(ctx, request.caller, id, Number(field(request.body, 'user_id')) || 0);
  });
  action('comment', async (request, id) => {
    await addComment(ctx, request.caller, id, field(request.body, 'body'));
  });
  action(
    'evidence',
    async (request, id) => {
      const file = request.body?.file;
      if (!isFile(file)) throw new BakenError('VALIDATION', { detail: 'file: choose a file', problems: [{ field: 'file', message: 'choose a file' }] });
      await addEvidence(ctx, request.caller, id, { name: file.filename, contentType: file.contentType, data: file.data });
    },
    { bodyLimit: 11 * 1024 * 1024 },
  );
  action('contact', async (request, id) => {
    const b = request.body;
    const operatorId = Number(field(b, 'operator_id')) || null;
    await assignContact(ctx, request.caller, id, { operatorId, asn: field(b, 'asn') || null, email: field(b, 'email'), saveToDirectory: field(b, 'save') === '1', operatorName: field(b, 'operator_name') || null });
  });
  // Host uploads: a CSV with a header first shows the mapping and preview step (nothing saved); the preview form
  // carries the upload back with step=confirm (or step=preview to try another mapping).
  app.post<{ Params: { id: string }; Body: Body }>(
    '/cases/:id/hosts',
    { preValidation: needs('cases:manage'), bodyLimit: Math.max(ctx.config.bodyLimitBytes, 256 * 1024 * 1024) },
    async (request, reply) => {
      const c = await getCase(ctx, request.params.id);
      const b = request.body;
      const pc = page(request, reply);
      const hosts = uploadOf(b);
      const step = stepOf(b);
      const strict = field(b, 'strict') === '1';
      const showPreview = async (format: ReturnType<typeof parseHostFormat>, mapping: ReturnType<typeof mappingOf>, error?: string, status = 200) => {
        const preview = await previewUpload(ctx, hosts!.input, { format, ...(mapping ? { mapping } : {}) });
        const back = { href: `/cases/${c.caseId}`, label: `${c.caseId} ${c.title}` };
        const carried = carry(hosts!, ctx.config.bodyLimitBytes);
        return sendPage(
          reply,
          <HostsPreviewPage pc={pc} action={`/cases/${c.caseId}/hosts`} back={back} preview={preview} format={preview.format ?? format} carried={carried} source={hosts!.source} strict={strict} {...(error ? { error } : {})} />,
          status,
        );
      };
      try {
        if (!hosts) throw new BakenError('NO_HOSTS', { detail: 'The upload is empty.' });
        const format = parseHostFormat(field(b, 'format'));
        const mapping = mappingOf(b, format);
        if (step !== 'confirm') {
          const preview = await previewUpload(ctx, hosts.input, { format, ...(mapping ? { mapping } : {}) });
          if (step === 'preview' || needsPreview(preview)) return showPreview(format, mapping);
        }
        const r = await uploadHosts(ctx, request.caller, c.caseId, hosts.input, { format, ...(mapping ? { mapping } : {}), strict, source: hosts.source });
        const t = translator(languageOf(ctx, request));
        const message = t('case.uploaded', { hosts: r.stored, inScope: r.inScope, rejected: r.summary.rejected }) + (r.summary.flagged > 0 ? ` ${t('case.uploadedFlagged', { flagged: r.summary.flagged })}` : '');
        return casePage(request, reply, c.caseId, { message });
      } catch (err) {
        const error = uploadError(err, languageOf(ctx, request));
        const status = err instanceof BakenError && err.kind === 'conflict' ? 409 : 400;
        // A refused save keeps the upload: the preview again, with why.
        if (hosts && step === 'confirm') {
          const format = parseHostFormat(field(b, 'format'));
          return showPreview(format, mappingOf(b, format), error, status);
        }
        return casePage(request, reply, c.caseId, { error }, status);
      }
    },
  );
}
