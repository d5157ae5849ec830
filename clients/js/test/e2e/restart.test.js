// Server restarts (SIGTERM, same port and data dir). Needs durable delivery on the server: messages for
// a user who is away are stored and replayed after the id the page resumes from.
import test from 'node:test';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {mintToken} from '../support/herald-process.js';
import {assertExactlyOnceInOrder, openClientPage, publishEach, recorded, stateCount, waitForIds, waitForState, waitUntilOffline}
    from '../support/page.js';

const browser = sharedBrowser();

/** Holds the page's token function until the test lets it go: the page stays away meanwhile. */
async function holdReconnects(page) {
    await page.evaluate(() => window.gate.close());
    return (await recorded(page)).tokenRequests;
}

async function waitUntilHeldAtToken(page, requestsBefore) {
    await page.waitForFunction(n => window.rec.tokenRequests > n, requestsBefore, {timeout: 15000, polling: 20});
}

test('durable: messages published before a restart and after it, while the page is away, arrive once each, in order', async t => {
    const server = await startServer(t, {auth: true});
    const page = await openClientPage(await newContext(t, browser()), server,
        {gatedToken: mintToken('u1'), reconnectOnKick: true, backoff: {initialMs: 100, maxMs: 500}, storage: null});
    await waitForState(page, {state: 'open'});
    const live = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(page, live);

    // the page goes away (kicked, and held at its token function) before the server stops
    let requests = await holdReconnects(page);
    await server.kick('u1');
    await waitUntilHeldAtToken(page, requests);
    await waitUntilOffline(server, 'u1');
    const beforeStop = await publishEach(server, 'u1', [4, 5, 6]);
    await server.restart();
    const afterStart = await publishEach(server, 'u1', [7, 8, 9]);

    let from = await stateCount(page);
    await page.evaluate(() => window.gate.open());
    await waitForState(page, {state: 'open'}, {from});
    const afterResume = await publishEach(server, 'u1', [10, 11, 12]);
    await waitForIds(page, afterResume);

    // and a restart under a connected page: 1001, then the page comes back by itself
    from = await stateCount(page);
    requests = await holdReconnects(page);
    await server.stop();
    await waitForState(page, {state: 'reconnecting', code: 1001}, {from});
    await waitUntilHeldAtToken(page, requests);
    await server.restart();
    const whileReconnecting = await publishEach(server, 'u1', [13, 14]);
    await page.evaluate(() => window.gate.open());
    await waitForState(page, {state: 'open'}, {from});

    await assertExactlyOnceInOrder(page, server, 'u1',
        [...live, ...beforeStop, ...afterStart, ...afterResume, ...whileReconnecting, ...await publishEach(server, 'u1', [15, 16])]);
});
