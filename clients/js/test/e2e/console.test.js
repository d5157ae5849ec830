// The operator console at /console (dev mode: no key needed), driven in Chromium like an operator would:
// the live overview, a test send seen arriving at a connected page, a kick seen closing it.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {API_KEY} from '../support/herald-process.js';
import {openClientPage, recorded, waitForState} from '../support/page.js';

const browser = sharedBrowser();

test('console: the overview counts a connection; a test send arrives; a kick closes the page with 4004', async t => {
    const server = await startServer(t);
    const context = await newContext(t, browser());
    const app = await openClientPage(context, server, {uid: 'u1', storage: null});
    await waitForState(app, {state: 'open'});

    const console_ = await context.newPage();
    await console_.goto(server.url + '/console');
    await console_.locator('[data-metric="Connections"]').filter({hasText: /^1$/}).waitFor({timeout: 15000});
    assert.equal(await console_.locator('[data-metric="WebSocket"]').textContent(), '1');

    // a test send, by keyboard: the form's fields in tab order, then Enter
    await console_.getByRole('link', {name: 'Send'}).click();
    await console_.getByLabel('Names').fill('u1');
    await console_.getByLabel('Data (JSON, or text)').fill('{"from":"console"}');
    await console_.getByLabel('Data (JSON, or text)').press('Tab');
    await console_.keyboard.press('Tab');
    await console_.keyboard.press('Enter');
    await console_.getByRole('status').filter({hasText: 'delivered to 1 connection'}).waitFor({timeout: 15000});
    await app.waitForFunction(() => window.rec.messages.some(m => m.data?.from === 'console'), null, {timeout: 15000});

    // the message's receipt, from the link in the answer
    await console_.getByRole('status').getByRole('link').click();
    await console_.getByRole('cell', {name: 'u1'}).waitFor({timeout: 15000});

    // the user's page: its connection, then a kick
    await console_.getByRole('link', {name: 'Users'}).click();
    await console_.getByLabel('User id').fill('u1');
    await console_.getByLabel('User id').press('Enter');
    await console_.getByRole('cell', {name: 'websocket'}).waitFor({timeout: 15000});
    await console_.getByRole('button', {name: /^Kick /}).click();
    await waitForState(app, {state: 'closed', code: 4004});
    await console_.getByText('u1: offline').waitFor({timeout: 15000});
    assert.equal((await recorded(app)).errors.length, 0);

    // the theme toggles and says so
    const toggle = console_.getByRole('button', {name: /theme/});
    const before = await console_.evaluate(() => document.documentElement.dataset.theme);
    await toggle.click();
    assert.notEqual(await console_.evaluate(() => document.documentElement.dataset.theme), before);
});

test('console: off by default with auth; with console.enabled it logs in with an API key and refuses a wrong one', async t => {
    const off = await startServer(t, {auth: true});
    const page = await (await newContext(t, browser())).newPage();
    assert.equal((await page.goto(off.url + '/console')).status(), 404);

    const server = await startServer(t, {auth: true, args: ['--console.enabled', 'true']});
    await page.goto(server.url + '/console');
    const key = page.getByLabel(/API key/);
    await key.fill('not-the-key-0123456789');
    await key.press('Enter');
    await page.getByRole('alert').filter({hasText: 'The API key was refused.'}).waitFor({timeout: 15000});
    await page.getByLabel(/API key/).fill(API_KEY);
    await page.getByLabel(/API key/).press('Enter');
    await page.locator('[data-metric="Connections"]').filter({hasText: /^0$/}).waitFor({timeout: 15000}).catch(async e => {
        throw new Error(`no overview after the right key; the page shows: ${await page.locator('main').innerText()}`, {cause: e});
    });
    assert.equal(await page.getByRole('button', {name: 'Log out'}).isVisible(), true);
});

test('console: a dead letter is listed, and Retry gives it another attempt', async t => {
    // one attempt per delivery, to a loopback port nobody listens on: the delivery is dead at once
    const server = await startServer(t, {args: ['--notify.max-attempts', '1', '--notify.allow-loopback', 'true']});
    const published = await server.api('POST', '/api/v1/messages', {to: {webhook: {url: 'http://127.0.0.1:9/hook'}}, data: 'to a dead end'});
    let dead;
    for (const deadline = Date.now() + 15000; !dead; await new Promise(r => setTimeout(r, 50))) {
        dead = (await server.api('GET', '/api/v1/dead-letters')).deadLetters.find(d => d.messageId === published.id);
        if (!dead && Date.now() > deadline) throw new Error('no dead letter within 15 s');
    }
    assert.equal(dead.attempts.length, 1);

    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/console#/dead-letters');
    await page.getByLabel('Channel').fill('webhook');
    await page.getByLabel('Channel').press('Enter');
    await page.getByRole('button', {name: `Retry ${dead.id}`}).click();
    for (const deadline = Date.now() + 15000; ; await new Promise(r => setTimeout(r, 50))) {
        const again = await server.api('GET', `/api/v1/dead-letters/${dead.id}`).catch(() => null);
        if (again?.state === 'dead' && again.attempts.length === 2) break;
        if (Date.now() > deadline) throw new Error(`the retry made no second attempt: ${JSON.stringify(again)}`);
    }
});
