// Desktop notices through the browser's Notification API, with the permission granted to the context.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {openClientPage, recorded, waitForState} from '../support/page.js';

const browser = sharedBrowser();

/**
 * Records every notice the page creates (the browser's own Notification underneath, so the permission is real) and
 * every window.focus() call; and lets the test hide or show the page, as switching tabs would.
 */
async function spyOnNotices(page) {
    await page.evaluate(() => {
        const Real = window.Notification;
        window.notices = [];
        window.focusCalls = 0;
        window.Notification = class extends Real {
            constructor(title, options) {
                super(title, options);
                this.record = {title, body: options.body, tag: options.tag, closed: false};
                window.notices.push(this);
            }

            close() {
                this.record.closed = true;
                super.close();
            }
        };
        const focus = window.focus.bind(window);
        window.focus = () => { window.focusCalls++; focus(); };
        let state = 'visible';
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
        window.setVisibility = s => { state = s; document.dispatchEvent(new Event('visibilitychange')); };
    });
}

const notices = page => page.evaluate(() => window.notices.map(n => n.record));

async function waitForMessages(page, count) {
    await page.waitForFunction(n => window.rec.messages.length >= n, count, {timeout: 15000, polling: 20});
}

test('with permission, a hidden page shows a notice per message, a visible one does not, and a click focuses the page', async t => {
    const server = await startServer(t);
    const page = await openClientPage(await newContext(t, browser(), {permissions: ['notifications']}), server, {uid: 'n1', storage: null});
    await waitForState(page, {state: 'open'});
    await spyOnNotices(page);
    assert.equal(await page.evaluate(() => window.client.enableDesktopNotices()), 'granted');

    await server.publish('n1', 'seen on the page');
    await waitForMessages(page, 1);
    assert.deepEqual(await notices(page), [], 'a visible page shows the message itself');

    await page.evaluate(() => window.setVisibility('hidden'));
    const id = await server.publish('n1', {notification: {title: 'Build finished', text: 'herald#42 is green'}});
    await waitForMessages(page, 2);
    assert.deepEqual(await notices(page), [{title: 'Build finished', body: 'herald#42 is green', tag: id, closed: false}]);

    await page.evaluate(() => window.notices[0].onclick(new Event('click')));
    assert.equal(await page.evaluate(() => window.focusCalls), 1);
    assert.equal((await notices(page))[0].closed, true);

    await page.evaluate(() => window.client.disableDesktopNotices());
    await server.publish('n1', 'after opting out');
    await waitForMessages(page, 3);
    assert.equal((await notices(page)).length, 1);
    assert.equal((await recorded(page)).errors.length, 0);
});

test('the demo page toggle asks on a click and turns notices on once granted', async t => {
    const server = await startServer(t);
    const page = await (await newContext(t, browser(), {permissions: ['notifications']})).newPage();
    await page.goto(server.url + '/');
    await page.fill('#uid', 'n2');
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('state').dataset.state === 'open', null, {timeout: 15000});
    await spyOnNotices(page);

    await page.click('#desktop-notices'); // a user gesture, as the permission prompt requires
    await page.waitForFunction(() => document.getElementById('desktop-hint').textContent.startsWith('on:'), null, {timeout: 5000});
    assert.equal(await page.evaluate(() => window.heraldDemo.desktopNotices), true);

    await page.evaluate(() => window.setVisibility('hidden'));
    await server.publish('n2', 'Hello from the demo');
    await page.waitForFunction(() => window.notices.length === 1, null, {timeout: 15000});
    assert.deepEqual((await notices(page)).map(n => [n.title, n.body]), [['Herald', 'Hello from the demo']]);
});

test('without permission the toggle stays off and says how to allow it', async t => {
    const server = await startServer(t);
    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/');
    await page.evaluate(() => Object.defineProperty(Notification, 'permission', {get: () => 'denied'})); // the user blocked it
    await page.evaluate(() => { Notification.requestPermission = async () => 'denied'; });

    await page.click('#desktop-notices');

    await page.waitForFunction(() => document.getElementById('desktop-hint').textContent.includes('blocked'), null, {timeout: 5000});
    assert.equal(await page.isChecked('#desktop-notices'), false);
});
