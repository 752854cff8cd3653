/**
 * Hub events on every node. A node emits what it publishes on its own {@link HubEvents} at once, and on
 * PostgreSQL also tells the other nodes over LISTEN/NOTIFY (`src/platform/db/pg-channel.ts`); each node's relay
 * listens on a dedicated connection and emits what the *other* nodes published on its own HubEvents. So a stream
 * client on any node hears every node's events, each once: a node skips its own events when they come back over
 * the channel, because it emitted them locally already.
 *
 * The whole event travels, not just its id: listeners need nothing but the event (the audience for the TLP check
 * and what the stream presents), so a node does not re-read the database for each event, and what arrives is what
 * was committed (a re-read could see later counts, or a retracted alert). An event rarely exceeds PostgreSQL's
 * 8000-byte payload (an alert to a thousand organisations carries their ids, about 6 kB); when it does, it is sent in
 * pieces within one transaction (pg-channel.ts).
 *
 * SQLite is one node: one process serves the web, the stream and the worker, and nothing is relayed. A CLI command
 * that publishes on SQLite (`baken alert publish`) reaches email and webhooks through the outbox, not the stream.
 */
import type { Context } from '../platform/context.js';
import { asciiJson, channelName, ChannelListener, notifyChannel } from '../platform/db/pg-channel.js';
import { hubEventsOf, type HubEvent } from './hub-events.js';

const TOPIC = 'hub';

interface Envelope {
  /** The node that published it ({@link HubEvents.nodeId}). */
  origin: string;
  event: HubEvent;
}

/**
 * Emits events that just committed on this node, and on PostgreSQL sends them to the other nodes. Never throws:
 * the change is committed whatever happens to its live notice (a lost notice is logged; the API has it all).
 */
export async function publishHubEvents(ctx: Context, events: readonly HubEvent[]): Promise<void> {
  if (events.length === 0) return;
  const bus = hubEventsOf(ctx);
  for (const e of events) bus.emit(e);
  if (ctx.db.dialect !== 'postgres') return;
  try {
    const channel = await channelName(ctx.db, TOPIC);
    await notifyChannel(ctx.db, channel, events.map((event) => asciiJson(JSON.stringify({ origin: bus.nodeId, event } satisfies Envelope))));
  } catch (err) {
    ctx.log.warn({ err, events: events.length }, 'hub events: the other nodes could not be told');
  }
}

export interface HubEventRelay {
  /** The listening connection (PostgreSQL), for tests; null on SQLite. */
  listener: ChannelListener | null;
  stop(): Promise<void>;
}

/**
 * Starts relaying the other nodes' hub events to this node's HubEvents (PostgreSQL; a no-op on SQLite).
 * Resolves once listening, so nothing published after it returns is missed.
 */
export async function startHubEventRelay(ctx: Context): Promise<HubEventRelay> {
  if (ctx.db.dialect !== 'postgres') return { listener: null, stop: async () => undefined };
  const bus = hubEventsOf(ctx);
  const listener = new ChannelListener(
    ctx.db,
    await channelName(ctx.db, TOPIC),
    (message) => {
      const envelope = JSON.parse(message) as Envelope;
      if (envelope.origin === bus.nodeId) return;
      bus.emit(envelope.event);
    },
    { log: ctx.log },
  );
  await listener.start();
  return { listener, stop: () => listener.stop() };
}
