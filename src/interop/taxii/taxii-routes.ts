/**
 * The TAXII 2.1 server under `/taxii2/`: discovery, one API root (`/taxii2/baken/`), its collections, objects,
 * manifest, object versions, POST of objects with status resources. Thin routes: authenticate (API key as
 * Bearer or as the password of HTTP Basic, see platform/http/authenticate.ts), negotiate the media type,
 * check the collection right, then ask the collection's sources. Every error, 401 and 404 included, is a
 * TAXII error body. Objects cannot be deleted over TAXII (405): they come from the hub.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { fromFastify, STATUS_OF } from '../../platform/http/error-handler.js';
import { addObjects, envelopeObjects } from './taxii-add-objects.js';
import { collectionSources } from './taxii-collection-sources.js';
import { COLLECTIONS, findCollection, presentCollection, rightsOf, TAXII_API_ROOT, type TaxiiCollectionInfo } from './taxii-collections.js';
import { readPage, type TaxiiEntry, type TaxiiEntrySource } from './taxii-entries.js';
import { acceptsTaxii, isTaxiiContentType, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './taxii-media.js';
import { encodeCursor, parseTaxiiQuery, TAXII_MAX_PAGE, type TaxiiQuery } from './taxii-query.js';
import { readStatus, saveStatus } from './taxii-status.js';

type Query = Record<string, string | string[] | undefined>;
type CollectionParams = { root: string; collection: string };
type ObjectParams = CollectionParams & { object: string };

/** A TAXII error message (TAXII 2.1, 3.6.1). */
function taxiiError(err: BakenError, status: number, request: FastifyRequest) {
  return {
    title: err.detail ? err.message.slice(0, err.message.length - err.detail.length - 1) : err.message,
    ...(err.detail ? { description: err.detail } : {}),
    error_id: String(request.id),
    error_code: err.code,
    http_status: String(status),
    ...(err.problems.length > 0 ? { details: { problems: err.problems } } : {}),
  };
}

/**
 * Sends a TAXII body with the media type exactly as the standard writes it: clients compare its parameters
 * token by token, and Fastify would rewrite a JSON type given with a string body (quoting the version,
 * adding a charset), so the body goes out as bytes.
 */
function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(body), 'utf8'));
}

export async function taxiiRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const maxContentLength = ctx.config.taxiiMaxContentLength;
  const rootUrl = `${ctx.config.publicUrl}/taxii2/${TAXII_API_ROOT}/`;

  app.setErrorHandler((raw: FastifyError, request, reply) => {
    let err = raw instanceof BakenError ? raw : fromFastify(raw);
    if (err?.code === 'BAKEN_E_TOO_LARGE') err = new BakenError('TAXII_TOO_LARGE', { detail: `At most ${maxContentLength} bytes.` });
    if (err?.code === 'BAKEN_E_UNSUPPORTED_MEDIA') err = new BakenError('TAXII_UNSUPPORTED_MEDIA');
    if (!err) {
      request.log.error({ err: raw }, 'unhandled error');
      err = new BakenError('INTERNAL');
    }
    const status = err.code === 'BAKEN_E_INTERNAL' ? 500 : STATUS_OF[err.kind];
    if (status === 401) reply.header('www-authenticate', 'Basic realm="baken", Bearer realm="baken"');
    if (status === 405) reply.header('allow', 'GET');
    return send(reply, status, taxiiError(err, status, request));
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, taxiiError(new BakenError('ROUTE_NOT_FOUND'), 404, request)));

  // The body is read only once the request is known to be acceptable: a wrong type or size is refused unread.
  app.addContentTypeParser('application/taxii+json', { parseAs: 'string', bodyLimit: maxContentLength }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new BakenError('BAD_INPUT', { detail: 'The body is not valid JSON.' }), undefined);
    }
  });
  app.addHook('onRequest', async (request) => {
    if (request.caller.actor.kind === 'anonymous') throw new BakenError('UNAUTHENTICATED', { detail: 'Present an API key: HTTP Basic with the key as password, or Authorization: Bearer KEY.' });
    if (!acceptsTaxii(request.headers.accept)) throw new BakenError('TAXII_NOT_ACCEPTABLE', { detail: `Got Accept: ${request.headers.accept}.` });
    // An envelope announced as too large is refused before a byte of it is read.
    const length = Number(request.headers['content-length'] ?? 0);
    if (request.method === 'POST' && isTaxiiContentType(request.headers['content-type']) && length > maxContentLength) {
      throw new BakenError('TAXII_TOO_LARGE', { detail: `${length} bytes; at most ${maxContentLength}.` });
    }
  });

  const checkRoot = (root: string) => {
    if (root !== TAXII_API_ROOT) throw new BakenError('TAXII_API_ROOT_NOT_FOUND', { detail: `The API root is /taxii2/${TAXII_API_ROOT}/.` });
  };
  const collectionFor = (request: FastifyRequest<{ Params: CollectionParams }>, need: 'read' | 'write' | null): TaxiiCollectionInfo => {
    checkRoot(request.params.root);
    const c = findCollection(request.params.collection);
    if (!c) throw new BakenError('TAXII_COLLECTION_NOT_FOUND');
    const rights = rightsOf(request.caller.actor, c.kind);
    if (need === null ? !rights.read && !rights.write : !rights[need]) throw new BakenError('FORBIDDEN', { detail: `You may not ${need ?? 'use'} the ${c.alias} collection.` });
    return c;
  };
  const dateHeaders = (reply: FastifyReply, entries: readonly TaxiiEntry[]) => {
    if (entries.length === 0) return;
    reply.header('X-TAXII-Date-Added-First', entries[0]!.dateAdded);
    reply.header('X-TAXII-Date-Added-Last', entries[entries.length - 1]!.dateAdded);
  };
  const envelopeOf = async (entries: readonly TaxiiEntry[], more: boolean, next: boolean) => {
    const objects = await Promise.all(entries.map((e) => e.object()));
    return { more, ...(more && next ? { next: encodeCursor(entries[entries.length - 1]!.cursor) } : {}), ...(objects.length > 0 ? { objects } : {}) };
  };
  /** All entries of one object (its id), over as many pages as it takes: each object has one current version. */
  const entriesOf = async (sources: readonly TaxiiEntrySource[], q: TaxiiQuery): Promise<TaxiiEntry[]> => (await readPage(sources, q)).entries;

  app.get('/', async (_request, reply) =>
    send(reply, 200, {
      title: `${ctx.config.coordinatorName}: Baken TAXII server`,
      description: 'Indicators, alerts and sightings of the detection network, as STIX 2.1. Authenticate with your API key (HTTP Basic with the key as password, or Bearer).',
      default: rootUrl,
      api_roots: [rootUrl],
    }),
  );

  app.get<{ Params: { root: string } }>('/:root/', async (request, reply) => {
    checkRoot(request.params.root);
    return send(reply, 200, {
      title: 'Detection network',
      description: `Collections of ${ctx.config.coordinatorName}'s detection network, as the caller's organisation may see them.`,
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: maxContentLength,
    });
  });

  app.get<{ Params: { root: string } }>('/:root/collections/', async (request, reply) => {
    checkRoot(request.params.root);
    const visible = COLLECTIONS.map((c) => ({ c, rights: rightsOf(request.caller.actor, c.kind) })).filter(({ rights }) => rights.read || rights.write);
    return send(reply, 200, visible.length > 0 ? { collections: visible.map(({ c, rights }) => presentCollection(c, rights)) } : {});
  });

  app.get<{ Params: CollectionParams }>('/:root/collections/:collection/', async (request, reply) => {
    const c = collectionFor(request, null);
    return send(reply, 200, presentCollection(c, rightsOf(request.caller.actor, c.kind)));
  });

  app.get<{ Params: CollectionParams; Querystring: Query }>('/:root/collections/:collection/objects/', async (request, reply) => {
    const c = collectionFor(request, 'read');
    const q = parseTaxiiQuery(request.query);
    const page = await readPage(await collectionSources(ctx, request.caller.actor, c.kind), q);
    dateHeaders(reply, page.entries);
    return send(reply, 200, await envelopeOf(page.entries, page.more, true));
  });

  app.get<{ Params: CollectionParams; Querystring: Query }>('/:root/collections/:collection/manifest/', async (request, reply) => {
    const c = collectionFor(request, 'read');
    const q = parseTaxiiQuery(request.query);
    const page = await readPage(await collectionSources(ctx, request.caller.actor, c.kind), q);
    dateHeaders(reply, page.entries);
    const objects = page.entries.map((e) => ({ id: e.id, date_added: e.dateAdded, version: e.version, media_type: STIX_MEDIA_TYPE }));
    return send(reply, 200, { more: page.more, ...(page.more ? { next: encodeCursor(page.entries[page.entries.length - 1]!.cursor) } : {}), ...(objects.length > 0 ? { objects } : {}) });
  });

  app.get<{ Params: ObjectParams; Querystring: Query }>('/:root/collections/:collection/objects/:object/', async (request, reply) => {
    const c = collectionFor(request, 'read');
    const q = { ...parseTaxiiQuery(request.query, { filters: false }), ids: [request.params.object], types: null };
    const sources = await collectionSources(ctx, request.caller.actor, c.kind);
    const entries = await entriesOf(sources, q);
    if (entries.length === 0 && (await entriesOf(sources, { ...q, limit: TAXII_MAX_PAGE, after: null, addedAfter: null, version: { current: true, timestamps: [] } })).length === 0) {
      throw new BakenError('TAXII_OBJECT_NOT_FOUND');
    }
    dateHeaders(reply, entries);
    return send(reply, 200, await envelopeOf(entries, false, false));
  });

  app.get<{ Params: ObjectParams; Querystring: Query }>('/:root/collections/:collection/objects/:object/versions/', async (request, reply) => {
    const c = collectionFor(request, 'read');
    const q = { ...parseTaxiiQuery(request.query, { filters: false, versionDefault: 'all' }), ids: [request.params.object], types: null };
    const entries = await entriesOf(await collectionSources(ctx, request.caller.actor, c.kind), { ...q, version: { current: true, timestamps: [] } });
    if (entries.length === 0 && q.after === null && q.addedAfter === null) throw new BakenError('TAXII_OBJECT_NOT_FOUND');
    dateHeaders(reply, entries);
    return send(reply, 200, { more: false, ...(entries.length > 0 ? { versions: entries.map((e) => e.version) } : {}) });
  });

  app.delete<{ Params: ObjectParams }>('/:root/collections/:collection/objects/:object/', async (request) => {
    collectionFor(request, null);
    throw new BakenError('TAXII_READ_ONLY');
  });

  app.post<{ Params: CollectionParams; Body: unknown }>('/:root/collections/:collection/objects/', { bodyLimit: maxContentLength }, async (request, reply) => {
    const c = collectionFor(request, 'write');
    if (!isTaxiiContentType(request.headers['content-type'])) throw new BakenError('TAXII_UNSUPPORTED_MEDIA', { detail: `Got Content-Type: ${request.headers['content-type'] ?? '(none)'}.` });
    const requestTimestamp = ctx.clock.now().toISOString();
    const objects = envelopeObjects(request.body);
    const outcome = await addObjects(ctx, request.caller, c.kind, objects);
    return send(reply, 202, await saveStatus(ctx, request.caller.actor, c.id, requestTimestamp, outcome));
  });

  app.get<{ Params: { root: string; status: string } }>('/:root/status/:status/', async (request, reply) => {
    checkRoot(request.params.root);
    return send(reply, 200, await readStatus(ctx, request.caller.actor, request.params.status));
  });
}
