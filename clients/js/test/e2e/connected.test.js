// A page that stays connected: what the SDK emits for messages published meanwhile.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {assertExactlyOnceInOrder, openClientPage, recorded, waitForState, waitUntilSubscribed} from '../support/page.js';

const browser = sharedBrowser();

test('messages to the user and to a followed topic arrive once each, in publish order', async t => {
    const server = await startServer(t);
    const page = await openClientPage(await newContext(t, browser()), server, {uid: 'u1', topics: ['news'], storage: null});
    const open = await waitForState(page, {state: 'open'});
    assert.equal(open.user, 'u1');
    await waitUntilSubscribed(server, 'u1', 'news');

    const published = [];
    for (let n = 1; n <= 6; n++) {
        published.push({n, id: n % 3 === 0 ? await server.publishToTopic('news', {n}) : await server.publish('u1', {n})});
    }

    await assertExactlyOnceInOrder(page, server, 'u1', published);
    assert.deepEqual((await recorded(page)).messages.map(m => m.topic ?? '-'), ['-', '-', 'news', '-', '-', 'news', '-']);
});

test('the module also defines window.Herald for classic scripts', async t => {
    const server = await startServer(t);
    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/');

    const kind = await page.evaluate(async () => {
        const module = await import('/herald.js');
        return {global: typeof window.Herald?.Client, same: window.Herald.Client === module.Client};
    });

    assert.deepEqual(kind, {global: 'function', same: true});
});
