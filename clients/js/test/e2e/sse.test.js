// Server-Sent Events in Chromium: the SDK with transport 'sse' (and its fallback), and a bare EventSource resuming
// by Last-Event-ID after a server restart.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {mintToken} from '../support/herald-process.js';
import {openClientPage, publishEach, recorded, stateCount, waitForIds, waitForState}
    from '../support/page.js';

const browser = sharedBrowser();

test("transport 'sse': messages arrive, acks reach the server, and a restart is resumed once each, in order", async t => {
    const server = await startServer(t, {auth: true});
    const page = await openClientPage(await newContext(t, browser()), server,
        {token: mintToken('u1'), transport: 'sse', topics: ['news'], backoff: {initialMs: 100, maxMs: 500}, storage: null});
    const open = await waitForState(page, {state: 'open'});
    assert.equal(open.transport, 'sse');
    const presence = await server.presence('u1');
    assert.deepEqual(presence.connections.map(c => [c.transport, c.topics]), [['sse', ['news']]]);

    const live = await publishEach(server, 'u1', [1, 2]);
    await waitForIds(page, live);
    const topicId = await server.publishToTopic('news', {n: 'news'});
    await page.waitForFunction(id => window.rec.messages.some(m => m.id === id && m.topic === 'news'), topicId, {timeout: 15000});
    // autoAck: the acks went as POST /api/v1/users/u1/acks with the user's token
    for (const {id} of live) {
        const deadline = Date.now() + 10000;
        for (;;) {
            const receipt = await server.api('GET', `/api/v1/messages/${id}`);
            if (receipt.recipients[0].status === 'acked') break;
            if (Date.now() > deadline) throw new Error(`${id} not acked: ${JSON.stringify(receipt)}`);
            await new Promise(r => setTimeout(r, 20));
        }
    }

    const from = await stateCount(page);
    await server.stop();
    await waitForState(page, {state: 'reconnecting'}, {from});
    await server.restart();
    const afterRestart = await publishEach(server, 'u1', [3, 4]);
    await waitForState(page, {state: 'open', transport: 'sse'}, {from});
    // the topic message sits among the inbox ones: compare the inbox stream, once each and in order
    const last = await publishEach(server, 'u1', [5]);
    await waitForIds(page, last);
    const inbox = (await recorded(page)).messages.filter(m => m.topic === undefined);
    assert.deepEqual(inbox.map(m => m.data.n), [1, 2, 3, 4, 5]);
    assert.deepEqual(inbox.map(m => m.id), [...live, ...afterRestart, ...last].map(m => m.id));
});

test('a bare EventSource resumes by Last-Event-ID after a server restart: nothing twice, nothing missed', async t => {
    const server = await startServer(t);
    const context = await newContext(t, browser());
    const page = await context.newPage();
    const lastEventIds = [];
    page.on('request', async r => {
        if (r.url().includes('/api/v1/events')) lastEventIds.push((await r.allHeaders())['last-event-id'] ?? null);
    });
    await page.goto(server.url + '/');
    await page.evaluate(() => {
        window.received = [];
        const source = window.source = new EventSource('/api/v1/events?uid=u2');
        source.onmessage = e => window.received.push({data: JSON.parse(e.data).data, lastEventId: e.lastEventId});
    });
    await page.waitForFunction(() => window.source.readyState === 1, null, {timeout: 15000});
    await publishEach(server, 'u2', [1]);
    await page.waitForFunction(() => window.received.length === 1, null, {timeout: 15000});

    await server.restart(); // the stream ends (close event, 1001); the EventSource reconnects by itself
    await publishEach(server, 'u2', [2, 3]);
    await page.waitForFunction(() => window.received.length >= 3, null, {timeout: 30000});
    await publishEach(server, 'u2', [4]);
    await page.waitForFunction(() => window.received.some(m => m.data.n === 4), null, {timeout: 15000});

    const received = await page.evaluate(() => window.received);
    // a bare EventSource never acks: without Last-Event-ID the new stream would replay message 1 again
    assert.deepEqual(received.map(m => m.data.n), [1, 2, 3, 4]);
    assert.match(received[0].lastEventId, /^inbox=1@[0-9a-f]+,all=0$/);
    assert.ok(lastEventIds.slice(1).some(id => /^inbox=1@/.test(id ?? '')), `reconnects sent Last-Event-ID: ${JSON.stringify(lastEventIds)}`);
});
