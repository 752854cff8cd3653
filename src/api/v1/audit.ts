import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { listAudit } from '../../platform/audit.js';
import type { Context } from '../../platform/context.js';
import { requirePermission } from '../../platform/http/authenticate.js';
import { presentAudit } from '../presenters.js';
import { AuditEntry, AuditQuery, errors } from './schemas.js';

export async function auditRoutes(base: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/audit',
    {
      preValidation: requirePermission('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first; page with `before`',
        querystring: AuditQuery,
        response: { 200: Type.Object({ entries: Type.Array(AuditEntry), next_before: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const entries = await listAudit(ctx.db, {
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor_user_id ? { actorUserId: q.actor_user_id } : {}),
        ...(q.target_type ? { targetType: q.target_type } : {}),
        ...(q.target_id ? { targetId: q.target_id } : {}),
        ...(q.before ? { beforeId: q.before } : {}),
        limit,
      });
      return { entries: entries.map(presentAudit), next_before: entries.length === limit ? entries[entries.length - 1]!.id : null };
    },
  );
}
