/**
 * The live stream: Server-Sent Events on `/api/v1/stream` for browsers and
 * machines. Each connection gets the hub's events its caller may see under the
 * TLP policy, as they happen; nothing is replayed (what was missed is in the
 * API), and a comment every 15 s keeps proxies from closing an idle stream.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { startHubEventRelay, type HubEventRelay } from '../../hub/hub-event-relay.js';
import { hubEventsOf, type HubEvent } from '../../hub/hub-events.js';
import { mayNameReporter } from '../../hub/sightings/may-name-reporter.js';
import { canSee, viewerOf, type Viewer } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import { requireSignedIn } from '../../platform/http/authenticate.js';
import { errors } from './schemas.js';

const HEARTBEAT_MS = 15_000;

/**
 * What a stream event says: enough to act or to fetch the rest; never the audience. A sighting names its
 * reporter only to staff, to the reporter itself, and to everyone when it chose `share_name`.
 */
export function presentHubEvent(e: HubEvent, publicUrl: string, viewer?: Viewer) {
  if (e.type === 'sighting.rebroadcast') {
    const named = mayNameReporter(viewer, e.reporter.organisationId, e.reporter.shareName);
    return {
      type: e.type,
      sighting_id: e.sightingId,
      alert_id: e.alertId,
      alert_title: e.alertTitle,
      indicator: e.indicator,
      sector: e.sector,
      organisations: e.organisations,
      sightings: e.sightings,
      reporter: named ? e.reporter.name : null,
      tlp: e.audience.tlp,
      at: e.at,
      url: `${publicUrl}/alerts/${e.alertId}`,
    };
  }
  return { type: e.type, alert_id: e.alertId, version: e.version, title: e.title, severity: e.severity, tlp: e.audience.tlp, at: e.at, url: `${publicUrl}/alerts/${e.alertId}` };
}

export async function streamRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const open = new Set<ServerResponse>();
  const hubEvents = hubEventsOf(ctx);
  // On PostgreSQL, events published on other nodes (and by CLI commands) reach this node's stream too.
  let relay: HubEventRelay | null = null;
  app.addHook('onReady', async () => {
    relay = await startHubEventRelay(ctx);
  });
  // Streams never end by themselves: close them when the server stops, or it would wait for them.
  app.addHook('onClose', async () => {
    for (const raw of open) raw.end();
    await relay?.stop();
  });

  app.get(
    '/stream',
    {
      preValidation: requireSignedIn,
      schema: {
        tags: ['hub'],
        summary: 'Live events (text/event-stream): alert.published, alert.updated, alert.retracted, sighting.rebroadcast, as the caller may see them',
        response: { ...errors(401) },
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request.caller.actor);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Reverse proxies must pass events on at once instead of buffering them.
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      raw.write('retry: 5000\n: connected\n\n');
      open.add(raw);
      let n = 0;
      const off = hubEvents.on((e) => {
        if (!canSee(viewer, e.audience)) return;
        raw.write(`id: ${++n}\nevent: ${e.type}\ndata: ${JSON.stringify(presentHubEvent(e, ctx.config.publicUrl, viewer))}\n\n`);
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      raw.on('close', () => {
        off();
        clearInterval(heartbeat);
        open.delete(raw);
      });
    },
  );
}
