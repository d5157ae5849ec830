// The page loses its network, or is disconnected by the server. Needs durable delivery on the server:
// what was published meanwhile is replayed after the id the page resumes from.
import test from 'node:test';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {assertExactlyOnceInOrder, openClientPage, publishEach, stateCount, waitForIds, waitForState, waitUntilOffline}
    from '../support/page.js';

const browser = sharedBrowser();
const FAST = {initialMs: 100, maxMs: 1000};

test('durable: messages published while the page is offline arrive once each, in order, when it is back online', async t => {
    const server = await startServer(t);
    const context = await newContext(t, browser());
    const page = await openClientPage(context, server, {uid: 'u1', backoff: FAST, storage: null});
    await waitForState(page, {state: 'open'});
    const live = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(page, live);

    const from = await stateCount(page);
    await context.setOffline(true);
    await waitForState(page, {state: 'reconnecting', reason: 'offline'}, {from});
    // the server may still believe in the old connection: these go into a socket the page gave up
    const intoTheVoid = await publishEach(server, 'u1', [4, 5, 6]);
    await server.kick('u1');
    await waitUntilOffline(server, 'u1');
    const whileAway = await publishEach(server, 'u1', [7, 8, 9]);
    await context.setOffline(false);
    await waitForState(page, {state: 'open'}, {from});

    await assertExactlyOnceInOrder(page, server, 'u1',
        [...live, ...intoTheVoid, ...whileAway, ...await publishEach(server, 'u1', [10, 11, 12])]);
});

test('durable: kicked (4004): the page stays closed; connect() later resumes with what was published meanwhile', async t => {
    const server = await startServer(t);
    const page = await openClientPage(await newContext(t, browser()), server, {uid: 'u1', backoff: FAST, storage: null});
    await waitForState(page, {state: 'open'});
    const live = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(page, live);

    const from = await stateCount(page);
    await server.kick('u1');
    await waitForState(page, {state: 'closed', code: 4004, willRetry: false}, {from});
    await waitUntilOffline(server, 'u1');
    const whileClosed = await publishEach(server, 'u1', [4, 5, 6]);
    await page.evaluate(() => window.client.connect());
    await waitForState(page, {state: 'open'}, {from});

    await assertExactlyOnceInOrder(page, server, 'u1', [...live, ...whileClosed, ...await publishEach(server, 'u1', [7, 8, 9])]);
});
