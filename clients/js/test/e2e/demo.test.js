// The demo page at / as a person uses it.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {mintToken} from '../support/herald-process.js';

const browser = sharedBrowser();

test('dev mode: connect as a user, send a message to yourself, see it arrive with its id', async t => {
    const server = await startServer(t);
    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/');
    assert.equal(await page.isVisible('#token'), false, 'no token field in dev mode');

    await page.fill('#uid', 'demo-user');
    await page.click('#connect');
    await page.waitForSelector('#state[data-state="open"]');
    assert.match(await page.textContent('#state-detail'), /as demo-user on node e2e/);

    await page.fill('#text', 'Hello from the demo');
    await page.click('#send');
    const sentId = await (await page.waitForSelector('#sent[data-id]:not([data-id=""])')).getAttribute('data-id');
    const row = await page.waitForSelector(`#messages tr[data-id="${sentId}"]`);
    assert.match(await row.textContent(), /"Hello from the demo"/);

    const fromOutside = await server.publish('demo-user', {text: 'from curl'});
    assert.match(await (await page.waitForSelector(`#messages tr[data-id="${fromOutside}"]`)).textContent(), /from curl/);
    assert.match(await page.textContent('#curl-dev'), /\/send\?uid=demo-user&message=Hello%20World/);

    await page.click('#disconnect');
    await page.waitForSelector('#state[data-state="closed"]');
});

test('auth mode: log in with a pasted token; publishing is shown as curl with an API key', async t => {
    const server = await startServer(t, {auth: true});
    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/');
    assert.equal(await page.isVisible('#uid'), false, 'no uid login with auth');
    assert.equal(await page.isVisible('#send'), false, 'no send button: the page holds no API key');

    await page.fill('#token', mintToken('alice'));
    await page.click('#connect');
    await page.waitForSelector('#state[data-state="open"]');

    assert.match(await page.textContent('#curl'), /Authorization: Bearer \$HERALD_API_KEY[\s\S]*"users":\["alice"\]/);
    const id = await server.publish('alice', 'hi alice');
    assert.match(await (await page.waitForSelector(`#messages tr[data-id="${id}"]`)).textContent(), /"hi alice"/);
});
