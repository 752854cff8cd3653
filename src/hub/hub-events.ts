/**
 * In-process events of the hub, for the live stream (`/api/v1/stream`) and anything else in the same process
 * that reacts to what the hub publishes. Emitted *after* the change committed, so a listener never sees
 * something that was rolled back. Delivery to members goes through the outbox, never through here: a
 * listener that throws is logged and ignored, and a process that dies loses only its live notices.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from '../platform/context.js';
import type { Audience } from './tlp.js';

/** What happened to an alert, with the audience a listener must check (canSee) before passing it on. */
export interface AlertHubEvent {
  type: 'alert.published' | 'alert.updated' | 'alert.retracted';
  alertId: number;
  version: number;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  audience: Audience;
  at: string;
}

/**
 * A member's sighting of an indicator of a published alert, re-broadcast to the alert's audience. Carries the
 * reporter's name for whoever may see it (staff, the reporter itself, everyone when it chose to share it):
 * the presenter decides per viewer, never the listener.
 */
export interface SightingHubEvent {
  type: 'sighting.rebroadcast';
  sightingId: number;
  alertId: number;
  alertTitle: string;
  indicator: { id: number; type: string; value: string };
  /** The reporter's sector code (null when it has none). */
  sector: string | null;
  /** Distinct organisations that reported this indicator so far, and sightings in all. */
  organisations: number;
  sightings: number;
  reporter: { organisationId: number; name: string; shareName: boolean };
  /** The alert's audience at the stricter of the alert's and the indicator's TLP. */
  audience: Audience;
  at: string;
}

export type HubEvent = AlertHubEvent | SightingHubEvent;
export type HubEventType = HubEvent['type'];
export type HubListener = (event: HubEvent) => void;

/** A small typed emitter; listeners run synchronously in the order they subscribed. */
export class HubEvents {
  /** Which node this is, so that a node hears its own events once: locally, not again from the other nodes' relay. */
  readonly nodeId = randomUUID();
  private readonly listeners = new Set<HubListener>();
  /** Called with a listener's error; by default a process warning (the app may set its logger). */
  onListenerError: (err: unknown, event: HubEvent) => void = (err, event) => {
    process.emitWarning(`hub event listener failed on ${event.type}: ${err instanceof Error ? err.message : String(err)}`, 'BakenHubEvents');
  };

  /** @returns a function that unsubscribes. */
  on(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HubEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/**
 * The process's hub events.
 * @example const off = hubEvents.on((e) => { if (canSee(viewer, e.audience)) send(e); });
 */
export const hubEvents = new HubEvents();

/** The hub events of the node a context belongs to: the process's, unless the context brings its own. */
export function hubEventsOf(ctx: Pick<Context, 'hubEvents'>): HubEvents {
  return ctx.hubEvents ?? hubEvents;
}
