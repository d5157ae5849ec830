// The Client against a fake WebSocket: what it sends, when it reconnects, what it emits.
import test from 'node:test';
import assert from 'node:assert/strict';
import {Client} from '../../herald.js';
import {fakeServer, until, MemoryStorage, ulid} from '../support/fake-websocket.js';

const FAST = {initialMs: 1, maxMs: 5, jitter: 0};

/** A client on a fake server that records everything it emits; closed after the test. */
function setup(t, options = {}) {
    const server = fakeServer();
    const client = new Client({url: 'ws://herald.test/ws', uid: 'u1', backoff: FAST, ackDelayMs: 1, storage: null,
        WebSocket: server.WebSocket, ...options});
    const seen = {messages: [], states: [], errors: [], gaps: []};
    client.on('message', m => seen.messages.push(m));
    client.on('state', s => seen.states.push(s));
    client.on('error', e => seen.errors.push(e));
    client.on('gap', g => seen.gaps.push(g));
    t.after(() => client.close());
    return {server, client, seen};
}

/** Lets the client open socket number `n` and log in; returns it. */
async function login(server, n, user = 'u1', heartbeat = 20000) {
    const ws = await until(() => server.sockets[n], `socket #${n} opened`);
    ws.accept();
    ws.welcome(user, heartbeat);
    return ws;
}

function message(n, extra = {}) {
    return {type: 'message', id: ulid(n), ts: 1000 + n, data: {n}, ...extra};
}

test('logs in with an auth frame, without since the first time, then subscribes its topics', async t => {
    const {server, client, seen} = setup(t, {topics: ['news', 'orders.eu']});
    client.connect();
    const ws = await login(server, 0);

    assert.deepEqual(ws.sent[0], {type: 'auth', uid: 'u1'});
    assert.deepEqual(ws.sent[1], {type: 'subscribe', topics: ['news', 'orders.eu'], ref: 's1'});
    assert.equal(client.state, 'open');
    assert.deepEqual(seen.states.map(s => s.state), ['connecting', 'open']);
    assert.equal(seen.states[1].user, 'u1');
});

test('emits each message once, drops duplicates, and acks in one batched frame', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const ws = await login(server, 0);

    for (const n of [1, 2, 2, 3, 1]) ws.receive(message(n));

    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2, 3]);
    assert.equal(client.cursor, ulid(3));
    await until(() => ws.framesOfType('ack').length > 0, 'an ack frame');
    assert.deepEqual(ws.framesOfType('ack')[0], {type: 'ack', ids: [ulid(1), ulid(2), ulid(3)]});
});

test('a topic message carries its topic; a gap frame is emitted as gap', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const ws = await login(server, 0);

    ws.receive(message(1, {topic: 'news'}));
    ws.receive({type: 'gap', since: ulid(1), topic: 'news'});
    ws.receive({type: 'something-new', x: 1}); // unknown types are ignored

    assert.equal(seen.messages[0].topic, 'news');
    assert.deepEqual(seen.gaps, [{since: ulid(1), topic: 'news'}]);
    assert.deepEqual(seen.errors, []);
});

test('after 1001 it reconnects with backoff and resumes after the last id, topics included', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const first = await login(server, 0);
    first.receive(message(7));

    first.serverClose(1001, 'server shutting down');
    const reconnecting = seen.states.find(s => s.state === 'reconnecting');
    assert.deepEqual(reconnecting, {state: 'reconnecting', code: 1001, reason: 'server shutting down', willRetry: true, delayMs: 1});

    const second = await login(server, 1);
    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: ulid(7)});
    assert.deepEqual(second.framesOfType('subscribe')[0], {type: 'subscribe', topics: ['news'], ref: 's2', since: ulid(7)});
    second.receive(message(7)); // replayed again around the reconnect
    second.receive(message(8));
    assert.deepEqual(seen.messages.map(m => m.data.n), [7, 8]);
});

for (const code of [1003, 1009, 4001, 4003, 4004, 4006, 4009]) {
    test(`after close code ${code} it stays closed and says it will not retry`, async t => {
        const {server, client, seen} = setup(t);
        client.connect();
        const ws = await login(server, 0);

        ws.serverClose(code, 'x');

        assert.equal(client.state, 'closed');
        assert.deepEqual(seen.states.at(-1), {state: 'closed', code, reason: 'x', willRetry: false});
        assert.equal(server.sockets.length, 1);
    });
}

for (const code of [1000, 1006, 4002, 4008, 4010, 4500]) {
    test(`after close code ${code} it reconnects`, async t => {
        const {server, client} = setup(t);
        client.connect();
        (await login(server, 0)).serverClose(code);

        await login(server, 1);
        assert.equal(client.state, 'open');
    });
}

test('shouldReconnect lets the app reconnect after a kick (4004)', async t => {
    const asked = [];
    const {server, client} = setup(t, {shouldReconnect: info => {
        asked.push(info);
        return info.code === 4004 || info.willRetry;
    }});
    client.connect();
    (await login(server, 0)).serverClose(4004, 'disconnected by the server');

    await login(server, 1);
    assert.deepEqual(asked, [{code: 4004, reason: 'disconnected by the server', willRetry: false}]);
    assert.equal(client.state, 'open');
});

test('a token function is asked before every connect; one 4001 is retried with a fresh token, two are not', async t => {
    let calls = 0;
    const {server, client, seen} = setup(t, {uid: undefined, token: async () => `token-${++calls}`});
    client.connect();
    const first = await login(server, 0);
    assert.deepEqual(first.sent[0], {type: 'auth', token: 'token-1'});

    first.serverClose(1001);
    const second = await until(() => server.sockets[1], 'second socket');
    second.accept();
    assert.deepEqual(second.sent[0], {type: 'auth', token: 'token-2'});
    second.serverClose(4001, 'unauthorized');

    const third = await until(() => server.sockets[2], 'third socket after one 4001');
    third.accept();
    assert.deepEqual(third.sent[0], {type: 'auth', token: 'token-3'});
    third.serverClose(4001, 'unauthorized');

    assert.equal(client.state, 'closed');
    assert.equal(seen.states.at(-1).code, 4001);
    assert.equal(server.sockets.length, 3);
});

test('a token function that returns null closes the client; one that throws is retried', async t => {
    let call = 0;
    const {server, client, seen} = setup(t, {uid: undefined, token: () => {
        call++;
        if (call === 1) throw new Error('auth service down');
        return null;
    }});
    client.connect();

    await until(() => client.state === 'closed', 'closed after the token function said null');
    assert.equal(call, 2);
    assert.equal(seen.errors[0].code, 'token_failed');
    assert.equal(server.sockets.length, 0);
});

test('a dead connection is noticed by its unanswered ping and replaced', async t => {
    const {server, client, seen} = setup(t, {heartbeatMs: 20});
    client.connect();
    const ws = await login(server, 0);

    await until(() => ws.framesOfType('ping').length === 1, 'the first ping');
    // the fake server never answers: the next tick finds the ping unanswered
    await until(() => server.sockets.length === 2, 'a new socket after the silence', 1000);
    const lost = seen.states.find(s => s.state === 'reconnecting');
    assert.equal(lost.code, 1006);
    assert.match(lost.reason, /no answer/);
    assert.equal(ws.closedByClient, 1000);
});

test('a connection that answers its pings stays open', async t => {
    const {server, client} = setup(t, {heartbeatMs: 10});
    client.connect();
    const ws = await login(server, 0);
    const answer = setInterval(() => ws.framesOfType('ping').length > ws.pongs && (ws.pongs++, ws.receive({type: 'pong'})), 1);
    ws.pongs = 0;
    t.after(() => clearInterval(answer));

    await until(() => ws.framesOfType('ping').length >= 5, 'five pings answered', 1000);
    assert.equal(server.sockets.length, 1);
    assert.equal(client.state, 'open');
});

test('no welcome within connectTimeoutMs: the attempt is abandoned and retried', async t => {
    const {server, client, seen} = setup(t, {connectTimeoutMs: 20});
    client.connect();
    (await until(() => server.sockets[0], 'first socket')).accept(); // opens, but the server never welcomes

    await until(() => server.sockets.length === 2, 'a second attempt', 1000);
    assert.equal(seen.states.find(s => s.state === 'reconnecting').reason, 'connect timeout');
    assert.equal(server.sockets[0].closedByClient, 1000);
});

test('with autoAck false nothing is acked until the app calls ack(); read() sends read frames', async t => {
    const {server, client, seen} = setup(t, {autoAck: false});
    client.connect();
    const ws = await login(server, 0);
    ws.receive(message(1));
    ws.receive(message(2));

    seen.messages[1].ack();
    seen.messages[0].read();
    client.ack(ulid(1));

    await until(() => ws.framesOfType('ack').length && ws.framesOfType('read').length, 'ack and read frames');
    assert.deepEqual(ws.framesOfType('ack'), [{type: 'ack', ids: [ulid(2), ulid(1)]}]);
    assert.deepEqual(ws.framesOfType('read'), [{type: 'read', id: ulid(1)}]);
});

test('acks made while disconnected are sent after the next welcome', async t => {
    const {server, client, seen} = setup(t, {autoAck: 'onDisplay'});
    client.connect();
    const first = await login(server, 0);
    first.receive(message(1));
    first.serverClose(1006);

    seen.messages[0].ack();
    const second = await login(server, 1);

    await until(() => second.framesOfType('ack').length, 'the ack on the new connection');
    assert.deepEqual(second.framesOfType('ack'), [{type: 'ack', id: ulid(1)}]);
    assert.deepEqual(first.framesOfType('ack'), []);
});

test('close() sends batched acks first, closes with 1000 and does not reconnect', async t => {
    const {server, client, seen} = setup(t, {ackDelayMs: 10000});
    client.connect();
    const ws = await login(server, 0);
    ws.receive(message(1));

    client.close();

    assert.deepEqual(ws.framesOfType('ack'), [{type: 'ack', id: ulid(1)}]);
    assert.equal(ws.closedByClient, 1000);
    assert.deepEqual(seen.states.at(-1), {state: 'closed', code: 1000, reason: 'closed by the client', willRetry: false});
});

test('the cursor is kept per user in storage, so a new client (a reloaded page) resumes', async t => {
    const storage = new MemoryStorage();
    const a = setup(t, {storage});
    a.client.connect();
    (await login(a.server, 0)).receive(message(5));
    a.client.close();

    const again = setup(t, {storage});
    assert.equal(again.client.cursor, ulid(5));
    const other = setup(t, {storage, uid: 'u2'});
    assert.equal(other.client.cursor, null);

    again.client.connect();
    const ws = await until(() => again.server.sockets[0], 'socket');
    ws.accept();
    assert.deepEqual(ws.sent[0], {type: 'auth', uid: 'u1', since: ulid(5)});
});

test('by default the cursor goes to localStorage with autoAck true, not with manual acks', async t => {
    globalThis.localStorage = new MemoryStorage();
    t.after(() => delete globalThis.localStorage);
    for (const [uid, autoAck] of [['auto', true], ['manual', 'onDisplay']]) {
        const {server, client} = setup(t, {uid, autoAck, storage: undefined});
        client.connect();
        (await login(server, 0, uid)).receive(message(1));
    }
    // manual: a reloaded page logs in without since and the server replays what was not acked
    assert.deepEqual([...globalThis.localStorage.map.keys()], ['herald:cursor:ws://herald.test/ws:auto']);
});

test('a refused subscription is reported and not repeated after reconnecting', async t => {
    const {server, client, seen} = setup(t, {topics: ['ok', 'secret']});
    client.connect();
    const first = await login(server, 0);
    first.receive({type: 'error', code: 'forbidden_topic', message: "not allowed to subscribe to 'secret'", ref: 's1'});

    assert.deepEqual(seen.errors, [{code: 'forbidden_topic', message: "not allowed to subscribe to 'secret'", ref: 's1', topics: ['ok', 'secret']}]);
    client.subscribe('ok');
    first.serverClose(1001);
    const second = await login(server, 1);
    assert.deepEqual(second.framesOfType('subscribe').map(f => f.topics), [['ok']]);
});

test('a connection that stayed up longer than resetAfterMs starts the backoff over', async t => {
    const {server, client, seen} = setup(t, {backoff: {initialMs: 1, maxMs: 1000, jitter: 0, resetAfterMs: 50}});
    client.connect();
    (await login(server, 0)).serverClose(1006);      // attempt 0: 1 ms
    (await login(server, 1)).serverClose(1006);      // attempt 1: 2 ms
    const third = await login(server, 2);
    const upSince = Date.now();
    await until(() => Date.now() - upSince > 60, 'the connection has been up longer than resetAfterMs', 1000);
    third.serverClose(1006);

    assert.deepEqual(seen.states.filter(s => s.state === 'reconnecting').map(s => s.delayMs), [1, 2, 1]);
    await login(server, 3);
    assert.equal(client.state, 'open');
});

/** Window events for a test: the client listens on globalThis like on a page's window. */
function fakeWindow(t) {
    const target = new EventTarget();
    globalThis.addEventListener = target.addEventListener.bind(target);
    globalThis.removeEventListener = target.removeEventListener.bind(target);
    t.after(() => {
        delete globalThis.addEventListener;
        delete globalThis.removeEventListener;
    });
    return {fire: name => target.dispatchEvent(new Event(name))};
}

test('offline drops the connection at once; online reconnects without waiting out the backoff', async t => {
    const window = fakeWindow(t);
    const {server, client, seen} = setup(t, {backoff: {initialMs: 60000, maxMs: 60000, jitter: 0}});
    client.connect();
    const first = await login(server, 0);

    window.fire('offline');
    assert.deepEqual(seen.states.at(-1), {state: 'reconnecting', code: 1006, reason: 'offline', willRetry: true, delayMs: 60000});
    assert.equal(first.closedByClient, 1000);

    window.fire('online');
    await login(server, 1);
    assert.equal(client.state, 'open');
});

test('pagehide sends the batched acks before the page goes away', async t => {
    const window = fakeWindow(t);
    const {server, client} = setup(t, {ackDelayMs: 60000});
    client.connect();
    const ws = await login(server, 0);
    ws.receive(message(1));
    assert.deepEqual(ws.framesOfType('ack'), []);

    window.fire('pagehide');

    assert.deepEqual(ws.framesOfType('ack'), [{type: 'ack', id: ulid(1)}]);
});

test('after close() the window events are no longer listened to', async t => {
    const window = fakeWindow(t);
    const {server, client} = setup(t);
    client.connect();
    await login(server, 0);
    client.close();

    window.fire('online');
    window.fire('offline');

    assert.equal(client.state, 'closed');
    assert.equal(server.sockets.length, 1);
});

test('a WebSocket that cannot even be created (bad URL) stops the client with an error', async t => {
    const {client, seen} = setup(t, {WebSocket: class {
        constructor() {
            throw new SyntaxError("The URL's scheme must be either 'ws' or 'wss'");
        }
    }});
    client.connect();

    await until(() => client.state === 'closed', 'closed');
    assert.equal(seen.errors[0].code, 'invalid_url');
    assert.equal(seen.states.at(-1).willRetry, false);
});
