// The Client over Server-Sent Events (transport: 'sse', and the fallback from a WebSocket that cannot connect).
import test from 'node:test';
import assert from 'node:assert/strict';
import {Client, StreamCursors, eventsUrl, parsePosition, sseEventId, topicStream} from '../../herald.js';
import {fakeServer, until, ulid} from '../support/fake-websocket.js';
import {fakeEventStreams} from '../support/fake-event-source.js';

const FAST = {initialMs: 1, maxMs: 5, jitter: 0};

function setup(t, options = {}) {
    const ws = fakeServer();
    const sse = fakeEventStreams();
    const client = new Client({url: 'ws://herald.test/ws', uid: 'u1', backoff: FAST, ackDelayMs: 1, storage: null,
        WebSocket: ws.WebSocket, EventSource: sse.EventSource, fetch: sse.fetch, transport: 'sse', ...options});
    const seen = {messages: [], states: [], gaps: []};
    client.on('message', m => seen.messages.push(m));
    client.on('state', s => seen.states.push(s));
    client.on('gap', g => seen.gaps.push(g));
    t.after(() => client.close());
    return {ws, sse, client, seen};
}

test('the events URL is derived from the WebSocket URL', () => {
    assert.equal(eventsUrl(undefined, 'ws://h:8181/ws'), 'http://h:8181/api/v1/events');
    assert.equal(eventsUrl(undefined, 'wss://h/push/ws'), 'https://h/push/api/v1/events');
    assert.equal(eventsUrl('http://other/api/v1/events', 'ws://h/ws'), 'http://other/api/v1/events');
});

test('the event id names every stream cursor, or the last id alone when no inbox position is known', () => {
    const streams = new StreamCursors();
    assert.equal(sseEventId(streams, null, []), '');
    assert.equal(sseEventId(streams, ulid(3), []), ulid(3));
    streams.set('inbox', parsePosition('3@ab'));
    streams.set('all', parsePosition('0'));
    streams.set(topicStream('news'), parsePosition('2@cd'));
    assert.equal(sseEventId(streams, ulid(3), ['news', 'sports']), 'inbox=3@ab,all=0,topic:news=2@cd');
});

test('logs in through the stream URL with its topics, emits messages, and acks over POST', async t => {
    const {sse, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const source = await until(() => sse.sources[0], 'a stream opened');
    assert.equal(source.url.pathname, '/api/v1/events');
    assert.equal(source.url.searchParams.get('uid'), 'u1');
    assert.equal(source.url.searchParams.get('topics'), 'news');
    assert.equal(source.url.searchParams.get('lastEventId'), null);
    source.welcome();
    assert.equal(client.state, 'open');
    assert.equal(seen.states.at(-1).transport, 'sse');

    source.emit('positions', {type: 'positions', inbox: '0', all: '0'});
    source.emit('message', {type: 'message', id: ulid(1), ts: 1, pos: 1, epoch: 'ab', data: {n: 1}});
    source.emit('message', {type: 'message', id: ulid(2), ts: 2, topic: 'news', pos: 1, epoch: 'cd', data: {n: 2}});
    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2]);
    await until(() => sse.posts.length > 0, 'an ack POST');
    assert.equal(sse.posts[0].url, 'http://herald.test/api/v1/users/u1/acks');
    assert.deepEqual(sse.posts[0].body, {ids: [ulid(1), ulid(2)], status: 'acked'});
    assert.equal(sse.sources.length, 1, 'the subscribe of the URL topics opened no second stream');
});

test('a failed stream reconnects with backoff and resumes every stream by its cursors', async t => {
    const {sse, client} = setup(t, {topics: ['news']});
    client.connect();
    const first = await until(() => sse.sources[0], 'a stream opened');
    first.welcome();
    first.emit('positions', {type: 'positions', inbox: '0', all: '0'});
    first.emit('message', {type: 'message', id: ulid(1), ts: 1, pos: 1, epoch: 'ab', data: {n: 1}});
    first.emit('positions', {type: 'positions', topics: {news: '4@cd'}});
    first.fail();
    assert.equal(first.readyState, 2, 'the EventSource is closed: the Client reconnects, not the EventSource');

    const second = await until(() => sse.sources[1], 'a second stream');
    assert.equal(second.url.searchParams.get('lastEventId'), 'inbox=1@ab,all=0,topic:news=4@cd');
});

test("the server's close event closes with its code: 4004 is not reconnected", async t => {
    const {sse, client, seen} = setup(t);
    client.connect();
    const source = await until(() => sse.sources[0], 'a stream opened');
    source.welcome();
    source.emit('close', {type: 'close', code: 4004, reason: 'disconnected by the server', reconnect: false});
    assert.equal(client.state, 'closed');
    assert.equal(seen.states.at(-1).code, 4004);
    assert.equal(source.readyState, 2);
});

test('following a new topic reopens the stream with it', async t => {
    const {sse, client} = setup(t);
    client.connect();
    const first = await until(() => sse.sources[0], 'a stream opened');
    first.welcome();
    client.subscribe('sports');
    const second = await until(() => sse.sources[1], 'a stream with the new topic');
    assert.equal(first.readyState, 2);
    assert.equal(second.url.searchParams.get('topics'), 'sports');
});

test('auto: a WebSocket that cannot connect makes the next attempt an SSE stream', async t => {
    const {ws, sse, client, seen} = setup(t, {transport: 'auto'});
    client.connect();
    const socket = await until(() => ws.sockets[0], 'a WebSocket');
    socket.serverClose(1006); // refused before any welcome: a proxy that breaks upgrades, say
    const source = await until(() => sse.sources[0], 'an SSE stream');
    source.welcome();
    assert.equal(client.state, 'open');
    assert.equal(seen.states.at(-1).transport, 'sse');
});

test('auto without EventSource (or a WebSocket that was open) stays on the WebSocket', async t => {
    const {ws, sse, client} = setup(t, {transport: 'auto'});
    client.connect();
    const socket = await until(() => ws.sockets[0], 'a WebSocket');
    socket.accept();
    socket.welcome();
    socket.serverClose(1006);
    await until(() => ws.sockets[1], 'a second WebSocket');
    assert.equal(sse.sources.length, 0);
});
