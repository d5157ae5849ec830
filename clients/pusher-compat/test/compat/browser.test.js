// pusher-js 8 as a web page loads it (dist/web/pusher.min.js), in headless Chromium against Herald: connect, a public
// channel, a private channel authorised by the page's own auth endpoint stand-in, a client event between two pages.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {APP, Herald, until} from '../support/herald.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PUSHER_JS = createRequire(import.meta.url).resolve('pusher-js/dist/web/pusher.min.js');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];

let herald;
let browser;

before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
    const {chromium} = await import('playwright-core');
    herald = await Herald.start();
    browser = await chromium.launch({executablePath: CHROMIUM, args: ARGS});
});
after(async () => {
    await browser?.close();
    await herald?.dispose();
});

/**
 * A page with pusher-js loaded from its web bundle, connected to Herald. Private channels are authorised by a
 * stand-in for the back-end's /pusher/auth: the page asks the test (exposed function), which signs with the SDK.
 */
async function page() {
    const p = await browser.newPage();
    const sdk = herald.server();
    await p.exposeFunction('authorize', (socketId, channel) => sdk.authorizeChannel(socketId, channel));
    await p.addScriptTag({path: PUSHER_JS});
    await p.evaluate(({key, port}) => {
        window.received = [];
        window.pusher = new Pusher(key, {wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'],
            disableStats: true, cluster: 'mt1',
            channelAuthorization: {customHandler: ({socketId, channelName}, cb) =>
                window.authorize(socketId, channelName).then(auth => cb(null, auth), e => cb(e, null))}});
        window.subscribe = name => new Promise((resolve, reject) => {
            const channel = window.pusher.subscribe(name);
            channel.bind_global((event, data) => { if (!event.startsWith('pusher')) window.received.push({channel: name, event, data}); });
            channel.bind('pusher:subscription_succeeded', () => resolve(true));
            channel.bind('pusher:subscription_error', e => reject(new Error(JSON.stringify(e))));
        });
    }, {key: APP.key, port: herald.port});
    return p;
}

const received = p => p.evaluate(() => window.received);

test('pusher-js in Chromium subscribes and receives a trigger from the server SDK', async () => {
    const p = await page();
    await p.evaluate(() => window.subscribe('browser-news'));
    await herald.server().trigger('browser-news', 'headline', {text: 'hello browser'});
    await until(async () => (await received(p)).length === 1, 'the event in the page');
    assert.deepEqual(await received(p), [{channel: 'browser-news', event: 'headline', data: {text: 'hello browser'}}]);
});

test('two pages talk over a private channel with client events; the sender does not get its own', async () => {
    const [a, b] = [await page(), await page()];
    await Promise.all([a.evaluate(() => window.subscribe('private-browser-chat')), b.evaluate(() => window.subscribe('private-browser-chat'))]);
    assert.equal(await a.evaluate(() => window.pusher.channel('private-browser-chat').trigger('client-hi', {from: 'a'})), true);
    await until(async () => (await received(b)).length === 1, 'the client event in page b');
    assert.deepEqual(await received(b), [{channel: 'private-browser-chat', event: 'client-hi', data: {from: 'a'}}]);
    await herald.server().trigger('private-browser-chat', 'marker', {});
    await until(async () => (await received(a)).length === 1, 'the marker in page a');
    assert.deepEqual((await received(a)).map(e => e.event), ['marker']);
});
