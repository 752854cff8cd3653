import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caseRounds, previewRound, startRound, TLPS } from '../../hotline/notifications/rounds.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { errors, Nullable } from './schemas.js';

const CaseParams = Type.Object({ id: Type.String({ minLength: 3, maxLength: 40, description: 'The case id, e.g. BKN-2026-00001' }) });
const RoundBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('first'), Type.Literal('followup')])),
    upload_id: Type.Optional(Type.Integer({ minimum: 1, description: 'For a follow-up: the re-scan upload (default: the latest)' })),
    tlp: Type.Optional(Type.Union(TLPS.map((t) => Type.Literal(t)))),
  },
  { additionalProperties: false },
);
const Recipient = Type.Object({ recipient: Type.String(), operator_id: Nullable(Type.Integer()), operator_name: Nullable(Type.String()), language: Type.String(), hosts: Type.Integer() });

export async function roundRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['hotline'];
  const options = (b: { kind?: 'first' | 'followup'; upload_id?: number; tlp?: (typeof TLPS)[number] }) => ({
    ...(b.kind ? { kind: b.kind } : {}),
    ...(b.upload_id ? { uploadId: b.upload_id } : {}),
    ...(b.tlp ? { tlp: b.tlp } : {}),
  });

  app.post(
    '/cases/:id/rounds/preview',
    {
      preValidation: requirePermission('cases:manage'),
      schema: {
        tags,
        summary: 'What a notification round would send: recipients, number of messages, a sample message; sends nothing',
        params: CaseParams,
        body: RoundBody,
        response: {
          200: Type.Object({
            case_id: Type.String(),
            kind: Type.String(),
            number: Type.Integer(),
            tlp: Type.String(),
            messages: Type.Integer(),
            hosts: Type.Integer(),
            hosts_without_contact: Type.Integer(),
            recipients: Type.Array(Recipient),
            sample: Nullable(Type.Object({ to: Type.String(), language: Type.String(), subject: Type.String(), text: Type.String(), attachment: Type.Object({ filename: Type.String(), content: Type.String() }) })),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const p = await previewRound(ctx, request.params.id, options(request.body ?? {}));
      return {
        case_id: p.caseId,
        kind: p.kind,
        number: p.number,
        tlp: p.tlp,
        messages: p.messages,
        hosts: p.hosts,
        hosts_without_contact: p.hostsWithoutContact,
        recipients: p.recipients.map((r) => ({ recipient: r.recipient, operator_id: r.operatorId, operator_name: r.operatorName, language: r.language, hosts: r.hosts })),
        sample: p.sample,
      };
    },
  );

  app.post(
    '/cases/:id/rounds',
    {
      preValidation: requirePermission('cases:manage'),
      schema: {
        tags,
        summary: 'Start a notification round: one email per recipient with only its hosts, queued at once, delivered by the worker',
        params: CaseParams,
        body: RoundBody,
        response: { 201: Type.Object({ round: Type.Integer(), messages: Type.Integer(), hosts: Type.Integer() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const r = await startRound(ctx, request.caller, request.params.id, options(request.body ?? {}));
      return reply.status(201).send({ round: r.number, messages: r.messages, hosts: r.hosts });
    },
  );

  app.get(
    '/cases/:id/rounds',
    {
      preValidation: requirePermission('cases:read'),
      schema: {
        tags,
        summary: 'The rounds of a case with delivery status and answers per recipient',
        params: CaseParams,
        response: {
          200: Type.Array(
            Type.Object({
              number: Type.Integer(),
              kind: Type.String(),
              tlp: Type.String(),
              started_at: Type.String(),
              started_by: Nullable(Type.String()),
              hosts: Type.Integer(),
              recipients: Type.Array(
                Type.Object({
                  recipient: Type.String(),
                  operator_id: Nullable(Type.Integer()),
                  language: Type.String(),
                  hosts: Type.Integer(),
                  delivery: Nullable(Type.Object({ status: Type.String(), attempts: Type.Integer(), last_error: Nullable(Type.String()), sent_at: Nullable(Type.String()) })),
                  feedback: Type.Array(Type.Object({ kind: Type.String(), comment: Nullable(Type.String()), at: Type.String() })),
                }),
              ),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) =>
      (await caseRounds(ctx, request.params.id)).map((r) => ({
        number: r.number,
        kind: r.kind,
        tlp: r.tlp,
        started_at: r.startedAt,
        started_by: r.startedBy,
        hosts: r.hosts,
        recipients: r.recipients.map((x) => ({
          recipient: x.recipient,
          operator_id: x.operatorId,
          language: x.language,
          hosts: x.hosts,
          delivery: x.delivery ? { status: x.delivery.status, attempts: x.delivery.attempts, last_error: x.delivery.lastError, sent_at: x.delivery.sentAt } : null,
          feedback: x.feedback,
        })),
      })),
  );
}
