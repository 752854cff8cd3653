/** The live stream: an alert reaches the open streams of the members who may see it, within a second, and no others. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createAlert, publishAlert, retractAlert } from '../../src/hub/alerts/alerts.js';
import { hubEvents } from '../../src/hub/hub-events.js';
import { addContact } from '../../src/hub/members/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp } from '../helpers/app.js';
import { openStream, waitFor } from '../helpers/event-stream.js';

describeEachApp('the live stream', (t) => {
  test('members see the alerts meant for them as they are published and retracted, others see nothing', async () => {
    const { ctx, app } = t();
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const a = await createOrganisation(ctx, SYSTEM, { name: 'Energie Noord', kind: 'member', sector: 'energy' });
    const b = await createOrganisation(ctx, SYSTEM, { name: 'Ziekenhuis Zuid', kind: 'member', sector: 'health' });
    await addContact(ctx, SYSTEM, a.id, { email: 'soc@energie.example' });
    await addContact(ctx, SYSTEM, b.id, { email: 'soc@ziekenhuis.example' });
    const keyA = (await createApiKey(ctx, SYSTEM, { organisationId: a.id, role: 'member' })).secret;
    const keyB = (await createApiKey(ctx, SYSTEM, { organisationId: b.id, role: 'member' })).secret;
    assert.equal((await fetch(`${base}/api/v1/stream`)).status, 401);

    const streamA = await openStream(base, keyA);
    const streamB = await openStream(base, keyB);
    await waitFor(() => hubEvents.listenerCount >= 2);
    const draft = await createAlert(ctx, SYSTEM, { title: 'Attacks on energy control systems', severity: 'critical', summary: 'Block the addresses.', tlp: 'AMBER', audience: { kind: 'sectors', sectors: ['energy'] } });
    const published = Date.now();
    await publishAlert(ctx, SYSTEM, draft.id);
    assert.ok(await waitFor(() => streamA.events.length === 1, 1000), 'the energy member hears of it within a second');
    assert.equal(streamA.events[0]!.event, 'alert.published');
    assert.equal(streamA.events[0]!.data.title, 'Attacks on energy control systems');
    assert.ok(streamA.events[0]!.receivedAt - published < 1000);
    assert.ok(!('audience' in streamA.events[0]!.data), 'the stream never shows who else received it');
    await retractAlert(ctx, SYSTEM, draft.id, 'sent to the wrong sector');
    assert.ok(await waitFor(() => streamA.events.length === 2));
    assert.equal(streamA.events[1]!.event, 'alert.retracted');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(streamB.events.length, 0, 'the health member sees none of it');
    await streamA.close();
    await streamB.close();
    assert.ok(await waitFor(() => hubEvents.listenerCount === 0), 'closed streams stop listening');
  });
});
