// Drives a Herald Client inside a real page served by the server, and records what the SDK emits.
import assert from 'node:assert/strict';

/**
 * Opens the server's `/` in a new page and creates `window.client` with `options`, recording every
 * message, state, error and gap in `window.rec`. Options that cannot cross into the page as JSON:
 * - `gatedToken: '<jwt>'` becomes a token function that waits while the test holds the gate closed;
 * - `reconnectOnKick: true` becomes a shouldReconnect that also reconnects after 4004.
 */
export async function openClientPage(context, server, options, {connect = true} = {}) {
    const page = await context.newPage();
    page.sentFrames = []; // what the page's sockets sent, parsed: the auth and subscribe frames show the cursors
    page.on('websocket', ws => ws.on('framesent', e => page.sentFrames.push(JSON.parse(e.payload))));
    page.consoleLines = [];
    page.on('console', m => page.consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', e => page.consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(server.url + '/');
    await startClient(page, options, {connect});
    return page;
}

/** Creates the recorded client in an already open page (after a reload, for instance). */
export async function startClient(page, options, {connect = true} = {}) {
    await page.evaluate(async ({options, connect}) => {
        const {Client} = await import('/herald.js');
        const rec = window.rec = {messages: [], states: [], errors: [], gaps: [], tokenRequests: 0};
        let gate = null;
        window.gate = {
            close() {
                let open;
                gate = new Promise(resolve => { open = resolve; });
                gate.open = open;
            },
            open() {
                gate?.open();
                gate = null;
            },
        };
        const {gatedToken, reconnectOnKick, ...clientOptions} = options;
        if (gatedToken) {
            clientOptions.token = async () => {
                rec.tokenRequests++;
                if (gate) await gate;
                return gatedToken;
            };
        }
        if (reconnectOnKick) clientOptions.shouldReconnect = ({code, willRetry}) => willRetry || code === 4004;
        const client = window.client = new Client(clientOptions);
        client.on('message', m => rec.messages.push({id: m.id, topic: m.topic, all: m.all, pos: m.pos, epoch: m.epoch, data: m.data}));
        client.on('state', s => rec.states.push(s));
        client.on('error', e => rec.errors.push({code: e.code, message: e.message}));
        client.on('gap', g => rec.gaps.push(g));
        if (connect) client.connect();
    }, {options, connect});
}

/** What the page has recorded so far. */
export function recorded(page) {
    return page.evaluate(() => window.rec);
}

/** How many state changes happened so far: pass it to waitForState to wait for a later one. */
export async function stateCount(page) {
    return (await recorded(page)).states.length;
}

/**
 * Waits until a state change after index `from` matches every field of `match` (reason may be a
 * RegExp source given as {reasonMatches}). Returns it.
 */
export async function waitForState(page, match, {from = 0, timeout = 15000} = {}) {
    const {reasonMatches, ...fields} = match;
    try {
        const handle = await page.waitForFunction(({fields, reasonMatches, from}) => window.rec.states.slice(from).find(s =>
                Object.entries(fields).every(([k, v]) => s[k] === v) && (!reasonMatches || new RegExp(reasonMatches).test(s.reason ?? ''))),
            {fields, reasonMatches, from}, {timeout, polling: 20});
        return handle.jsonValue();
    } catch (e) {
        throw new Error(`no state ${JSON.stringify(match)} after #${from} within ${timeout} ms; states: ${JSON.stringify((await recorded(page)).states)}`, {cause: e});
    }
}

/**
 * Publishes a sentinel after `expected`, waits for it, and checks the page emitted exactly the
 * expected ids and then the sentinel: each once, in publish order. Messages arrive on one
 * connection in order, so any duplicate or stray message would have come before the sentinel.
 */
export async function assertExactlyOnceInOrder(page, server, user, expected, {timeout = 20000} = {}) {
    const sentinel = await server.publish(user, {n: 'sentinel'});
    try {
        await page.waitForFunction(id => window.rec.messages.some(m => m.id === id), sentinel, {timeout, polling: 20});
    } catch (e) {
        const rec = await recorded(page);
        throw new Error(`the sentinel ${sentinel} did not arrive within ${timeout} ms.\n`
            + `expected: ${JSON.stringify(expected.map(m => m.n))}\nreceived: ${JSON.stringify(rec.messages.map(m => m.data.n))}\n`
            + `states: ${JSON.stringify(rec.states)}\nerrors: ${JSON.stringify(rec.errors)}\npage console:\n${page.consoleLines.join('\n')}\n`
            + `server output:\n${server.tail(25)}`, {cause: e});
    }
    const received = (await recorded(page)).messages;
    assert.deepEqual(received.map(m => m.data.n), [...expected.map(m => m.n), 'sentinel'], 'payloads, once each, in publish order');
    assert.deepEqual(received.map(m => m.id), [...expected.map(m => m.id), sentinel], 'ids as the publish responses returned them');
}

/** Publishes {n} for each n to `user` one after another; returns [{n, id}]. */
export async function publishEach(server, user, ns) {
    const published = [];
    for (const n of ns) published.push({n, id: await server.publish(user, {n})});
    return published;
}

/** Waits until the server no longer lists a connection for `user` (polls the presence API). */
export async function waitUntilOffline(server, user, timeout = 10000) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const presence = await server.presence(user);
        if (!presence.online) return;
        if (Date.now() > deadline) throw new Error(`${user} still online after ${timeout} ms: ${JSON.stringify(presence)}`);
        await new Promise(r => setTimeout(r, 20));
    }
}

/** Waits until the server lists a connection of `user` that follows `topic`. */
export async function waitUntilSubscribed(server, user, topic, timeout = 10000) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const presence = await server.presence(user);
        if (presence.connections.some(c => c.topics.includes(topic))) return;
        if (Date.now() > deadline) throw new Error(`${user} does not follow ${topic} after ${timeout} ms: ${JSON.stringify(presence)}`);
        await new Promise(r => setTimeout(r, 20));
    }
}

/** Waits until the page has emitted every one of the published messages. */
export async function waitForIds(page, published, timeout = 15000) {
    const ids = published.map(m => m.id);
    try {
        await page.waitForFunction(ids => ids.every(id => window.rec.messages.some(m => m.id === id)), ids, {timeout, polling: 20});
    } catch (e) {
        const rec = await recorded(page);
        throw new Error(`messages ${JSON.stringify(published.map(m => m.n))} not all received within ${timeout} ms; `
            + `received ${JSON.stringify(rec.messages.map(m => m.data.n))}, states ${JSON.stringify(rec.states)}`, {cause: e});
    }
}
