/**
 * The one place where errors become HTTP responses. Domain errors carry a kind;
 * here a kind becomes a status. Anything unknown is logged with the request id
 * and answered with a generic 500 that leaks nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BakenError, type ErrorKind, type FieldProblem } from '../errors.js';

export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  not_acceptable: 406,
  method_not_allowed: 405,
  rate_limited: 429,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; problems?: FieldProblem[]; request_id: string };
}

/** Renders an error for people (HTML pages); set by the web layer. */
export type HtmlErrorRenderer = (request: FastifyRequest, reply: FastifyReply, err: BakenError, status: number) => unknown;

export function fromFastify(err: FastifyError): BakenError | null {
  if (err.validation) {
    const problems = err.validation.map((v) => ({
      field: v.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : String((v.params as { missingProperty?: string }).missingProperty ?? err.validationContext ?? 'body'),
      message: v.message ?? 'is not valid',
    }));
    return new BakenError('VALIDATION', { detail: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems });
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new BakenError('TOO_LARGE');
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new BakenError('UNSUPPORTED_MEDIA');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.statusCode === 400 && err instanceof SyntaxError)) {
    return new BakenError('BAD_INPUT', { detail: 'The body is not valid JSON.' });
  }
  if (err.statusCode === 429) return new BakenError('RATE_LIMITED');
  return null;
}

export function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/taxii2/') || request.url.startsWith('/feeds/')) return false;
  return (request.headers.accept ?? '').includes('text/html') || request.method === 'POST' && (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

export function registerErrorHandler(app: FastifyInstance, renderHtml: HtmlErrorRenderer | null): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const err = raw instanceof BakenError ? raw : fromFastify(raw);
    if (!err) {
      request.log.error({ err: raw }, 'unhandled error');
      return send(request, reply, new BakenError('INTERNAL'), 500);
    }
    const status = STATUS_OF[err.kind];
    if (status >= 500) request.log.error({ err: raw }, err.code);
    return send(request, reply, err, status);
  });

  app.setNotFoundHandler((request, reply) => send(request, reply, new BakenError('ROUTE_NOT_FOUND'), 404));

  function send(request: FastifyRequest, reply: FastifyReply, err: BakenError, status: number) {
    if (renderHtml && wantsHtml(request)) return renderHtml(request, reply, err, status);
    const body: ErrorBody = { error: { code: err.code, message: err.message, request_id: String(request.id) } };
    if (err.problems.length > 0) body.error.problems = err.problems;
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="baken", Basic realm="baken"');
    return reply.status(status).type('application/json; charset=utf-8').send(body);
  }
}
