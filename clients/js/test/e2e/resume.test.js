// A new page for the same user: resuming from the stored cursor (autoAck) or from the server's
// un-acked messages (manual acks). Needs durable delivery and acks on the server.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {assertExactlyOnceInOrder, openClientPage, publishEach, startClient, waitForIds, waitForState, waitUntilOffline}
    from '../support/page.js';

const browser = sharedBrowser();

test('durable: a reloaded page resumes after the last id it stored, without repeating what it had', async t => {
    const server = await startServer(t);
    const page = await openClientPage(await newContext(t, browser()), server, {uid: 'u1'}); // localStorage by default
    await waitForState(page, {state: 'open'});
    const seen = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(page, seen);

    await page.goto('about:blank'); // the page is gone, its socket with it
    await waitUntilOffline(server, 'u1');
    const whileGone = await publishEach(server, 'u1', [4, 5, 6]);
    await page.goto(server.url + '/');
    await startClient(page, {uid: 'u1'}, {connect: false});
    assert.equal(await page.evaluate(() => window.client.cursor), seen.at(-1).id, 'the cursor came back from localStorage');
    await page.evaluate(() => window.client.connect());

    await assertExactlyOnceInOrder(page, server, 'u1', [...whileGone, ...await publishEach(server, 'u1', [7, 8])]);
});

test('durable: with manual acks a new page gets exactly the messages that were not acked', async t => {
    const server = await startServer(t);
    const context = await newContext(t, browser());
    const first = await openClientPage(context, server, {uid: 'u1', autoAck: 'onDisplay'});
    await waitForState(first, {state: 'open'});
    const [one, two, three] = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(first, [one, two, three]);

    await first.evaluate(id => window.client.ack(id), one.id);
    await first.evaluate(() => window.client.close()); // sends the batched ack before closing
    await waitUntilOffline(server, 'u1');
    await first.close();

    // checked before connecting: once connected, the replay moves the in-memory cursor
    const second = await openClientPage(context, server, {uid: 'u1', autoAck: 'onDisplay'}, {connect: false});
    assert.equal(await second.evaluate(() => window.client.cursor), null, 'manual acks keep no cursor: the server decides');
    await second.evaluate(() => window.client.connect());
    await assertExactlyOnceInOrder(second, server, 'u1', [two, three, ...await publishEach(server, 'u1', [4])]);
});
