// The operator console at /console (dev mode: no key needed), driven in Chromium like an operator would:
// the live overview, a test send seen arriving at a connected page, a kick seen closing it.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {API_KEY, JWT_SECRET} from '../support/herald-process.js';
import {openClientPage, recorded, waitForState} from '../support/page.js';
import {request} from 'node:http';

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

    // the overview counts it and says the store is healthy; its count links to the dead letters
    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/console');
    await page.locator('[data-metric="Dead letters"]').filter({hasText: /^1$/}).waitFor({timeout: 15000});
    assert.equal(await page.locator('[data-metric="Store"]').textContent(), 'healthy');
    assert.match(await page.locator('[data-metric="Store latency (ms)"]').textContent(), /^\d+\.\d\d$/);
    assert.equal(await page.getByRole('img', {name: /^Store latency \(ms\): last \d+ samples/}).count(), 1);
    await page.locator('[data-metric="Dead letters"]').getByRole('link').click();
    await page.getByRole('heading', {name: 'Dead letters'}).waitFor({timeout: 15000});
    await page.getByLabel('Channel').fill('webhook');
    await page.getByLabel('Channel').press('Enter');
    await page.getByRole('button', {name: `Retry ${dead.id}`}).click();
    for (const deadline = Date.now() + 15000; ; await new Promise(r => setTimeout(r, 50))) {
        const again = await server.api('GET', `/api/v1/dead-letters/${dead.id}`).catch(() => null);
        if (again?.state === 'dead' && again.attempts.length === 2) break;
        if (Date.now() > deadline) throw new Error(`the retry made no second attempt: ${JSON.stringify(again)}`);
    }
});

/** Every answer of the page's calls to the API, as text: to check that no secret ever reached the browser. */
function recordApiAnswers(page) {
    const answers = [];
    page.on('response', async response => {
        if (new URL(response.url()).pathname.startsWith('/api/')) answers.push(await response.text().catch(() => ''));
    });
    return answers;
}

test('console: the contacts and configuration pages show every secret masked, and no secret reaches the page', async t => {
    const receiptToken = 'tok-RECEIPT-0123456789';
    const server = await startServer(t, {auth: true, args: ['--console.enabled', 'true',
        '--email.smtp-host', '127.0.0.1', '--email.from', 'noreply@herald.test',
        '--receipts.webhook-url', `http://127.0.0.1:9/receipts/${receiptToken}?key=${receiptToken}`,
        '--receipts.webhook-secret', 'receipt-signing-secret-0123456789']});
    const webhookSecret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
    const robotKey = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';
    await server.api('PUT', '/api/v1/users/ann/contacts', {email: 'ann.lee@example.com',
        webhook: {url: 'https://crm.example.com/hooks/tok-PATH-0123456789', secret: webhookSecret},
        wecom: {url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${robotKey}`}});
    const secrets = [webhookSecret, robotKey, 'tok-PATH', 'ann.lee', JWT_SECRET, API_KEY, receiptToken, 'receipt-signing-secret'];

    const page = await (await newContext(t, browser())).newPage();
    const answers = recordApiAnswers(page);
    await page.goto(server.url + '/console');
    await page.getByLabel(/API key/).fill(API_KEY);
    await page.getByLabel(/API key/).press('Enter');
    await page.locator('[data-metric="Connections"]').waitFor({timeout: 15000});

    // contacts, by keyboard: the menu link, the user id, Enter
    await page.getByRole('link', {name: 'Contacts'}).press('Enter');
    await page.getByLabel('User id').fill('ann');
    await page.getByLabel('User id').press('Enter');
    const email = page.getByRole('row').filter({has: page.getByRole('cell', {name: 'email', exact: true})});
    await email.waitFor({timeout: 15000});
    assert.equal(await email.getByRole('code').textContent(), 'a••••••@e••••••.com');
    const webhook = page.getByRole('row').filter({has: page.getByRole('cell', {name: 'webhook', exact: true})});
    assert.equal(await webhook.getByRole('code').textContent(), 'https://crm.example.com/…');
    assert.equal(await webhook.getByRole('cell', {name: 'set (hidden)'}).count(), 1);
    const wecom = page.getByRole('row').filter({has: page.getByRole('cell', {name: 'wecom', exact: true})});
    assert.equal(await wecom.getByRole('code').textContent(), 'https://qyapi.weixin.qq.com/…');
    const contactsHtml = await page.content();

    // a user without contacts says so
    await page.getByLabel('User id').fill('nobody');
    await page.getByLabel('User id').press('Enter');
    await page.getByRole('status').filter({hasText: 'nobody has no contacts.'}).waitFor({timeout: 15000});

    // the configuration: secret-typed settings say only that they are set; the filter narrows the rows as one types
    await page.getByRole('link', {name: 'Configuration'}).click();
    const jwt = page.getByRole('row', {name: /^auth\.jwt-secret /});
    await jwt.waitFor({timeout: 15000});
    assert.match(await jwt.textContent(), /\*{8} \(set\)/);
    assert.match(await page.getByRole('row', {name: /^receipts\.webhook-url /}).textContent(), /http:\/\/127\.0\.0\.1:9\/…/);
    const all = await page.locator('tbody tr:visible').count();
    await page.getByLabel('Filter settings').pressSequentially('secret');
    await page.waitForFunction(n => document.querySelectorAll('tbody tr:not([hidden])').length < n, all);
    assert.ok(await page.getByRole('row', {name: /^auth\.jwt-secret /}).isVisible());
    assert.equal(await page.getByRole('row', {name: /^ws\.heartbeat /}).isVisible(), false);

    for (const secret of secrets) {
        assert.ok(!contactsHtml.includes(secret), `the contacts page holds ${secret}`);
        assert.ok(!(await page.content()).includes(secret), `the configuration page holds ${secret}`);
        const leaking = answers.find(a => a.includes(secret));
        assert.equal(leaking, undefined, `an API answer to the console holds ${secret}`);
    }
    assert.ok(answers.some(a => a.includes('"settings"')) && answers.some(a => a.includes('"contacts"')), 'the answers were recorded');
});

/** Opens one SSE stream for `uid` (a real connection, no browser); resolves once its response began. */
function openStream(server, uid) {
    return new Promise((resolve, reject) => {
        const req = request(`${server.url}/api/v1/events?uid=${uid}`, {agent: false, headers: {accept: 'text/event-stream'}}, res => {
            if (res.statusCode !== 200) reject(new Error(`${uid}: ${res.statusCode}`));
            res.on('data', () => {});
            res.on('error', () => {});
            resolve(req);
        });
        req.on('error', reject);
        req.end();
    });
}

test('console: with 2,000 real SSE connections the users page renders 50 rows a page and pages through them (20,000 sessions: ConsoleRoutesTest)', async t => {
    const users = 2000;
    const server = await startServer(t, {args: ['--http.max-connections-per-address', '5000']});
    const streams = [];
    t.after(() => streams.forEach(s => s.destroy()));
    const uid = n => `u${String(n).padStart(4, '0')}`;
    for (let n = 0; n < users; n += 100) {
        streams.push(...await Promise.all(Array.from({length: 100}, (_, i) => openStream(server, uid(n + i)))));
    }
    for (const deadline = Date.now() + 30000; (await server.api('GET', '/api/v1/stats')).connections < users;
        await new Promise(r => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error(`not ${users} connections within 30 s`);
    }

    const page = await (await newContext(t, browser())).newPage();
    await page.goto(server.url + '/console#/users');
    await page.getByRole('heading', {name: `Online on this node: ${users} users, ${users} connections`}).waitFor({timeout: 15000});
    const rows = page.getByRole('region', {name: 'Online users'}).locator('tbody tr');
    assert.equal(await rows.count(), 50);
    assert.equal(await rows.first().getByRole('link').textContent(), 'u0000');
    assert.equal(await rows.last().getByRole('cell').nth(2).textContent(), 'SSE 1');

    // the next page, by keyboard; then back
    await page.getByRole('button', {name: 'Next 50'}).press('Enter');
    await page.getByRole('link', {name: 'u0050', exact: true}).waitFor({timeout: 15000});
    assert.equal(await rows.count(), 50);
    assert.equal(await page.getByRole('button', {name: 'Next 50'}).evaluate(b => b === document.activeElement), true);
    await page.getByRole('button', {name: 'Previous'}).click();
    await page.getByRole('link', {name: 'u0000', exact: true}).waitFor({timeout: 15000});

    // typing narrows the list to the ids that start with it, still a page at a time
    await page.getByLabel('User id').pressSequentially('u19');
    await page.getByText('User ids starting with “u19”').waitFor({timeout: 15000});
    assert.equal(await rows.count(), 50);
    assert.equal(await rows.first().getByRole('link').textContent(), 'u1900');
    await page.getByLabel('User id').fill('');

    // a user's row leads to its connection, which the kick closes
    await page.getByRole('link', {name: 'u0007', exact: true}).click();
    await page.getByText('u0007: online').waitFor({timeout: 15000});
    assert.equal(await page.getByRole('cell', {name: 'sse', exact: true}).count(), 1);
    await page.getByRole('button', {name: /^Kick /}).click();
    await page.getByText('u0007: offline').waitFor({timeout: 15000});

    // the paging API behind it: 50 after u0049, the last page without a next
    const second = await server.api('GET', '/api/v1/admin/users?limit=50&after=u0049');
    assert.deepEqual([second.users.length, second.users[0].user, second.next], [50, 'u0050', 'u0099']);
    const last = await server.api('GET', '/api/v1/admin/users?limit=50&after=u1949');
    assert.deepEqual([last.users.length, last.next, last.usersOnline], [50, null, users - 1]);
});
