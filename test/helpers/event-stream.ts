/** Reads Baken's live stream (Server-Sent Events) as a client would, collecting its events until closed. */
import assert from 'node:assert/strict';

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

export async function openStream(base: string, key: string): Promise<{ events: StreamEvent[]; close(): Promise<void> }> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const events: StreamEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown>, receivedAt: Date.now() });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}

/** Polls until `check` holds or the time runs out; returns whether it held. */
export async function waitFor(check: () => boolean, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return check();
}
