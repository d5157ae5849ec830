// A server that is there but silent (frozen with SIGSTOP): only the SDK's own heartbeat can tell.
import test from 'node:test';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {assertExactlyOnceInOrder, openClientPage, publishEach, stateCount, waitForIds, waitForState} from '../support/page.js';

const browser = sharedBrowser();

test('a silent server is given up after an unanswered ping, and the page reconnects once it answers again', async t => {
    const server = await startServer(t);
    const page = await openClientPage(await newContext(t, browser()), server,
        {uid: 'u1', heartbeatMs: 300, connectTimeoutMs: 1000, backoff: {initialMs: 100, maxMs: 500}, storage: null});
    await waitForState(page, {state: 'open'});
    const before = await publishEach(server, 'u1', [1, 2, 3]);
    await waitForIds(page, before);

    const from = await stateCount(page);
    server.pause();
    await waitForState(page, {state: 'reconnecting', code: 1006, reasonMatches: 'no answer'}, {from});
    server.resume();
    await waitForState(page, {state: 'open'}, {from});

    await assertExactlyOnceInOrder(page, server, 'u1', [...before, ...await publishEach(server, 'u1', [4, 5, 6])]);
});
