// Resuming by stream position: the Client against a fake WebSocket, and the pure helpers behind it.
import test from 'node:test';
import assert from 'node:assert/strict';
import {Client, StreamCursors, loginCursors, parsePosition, positionOf, streamOf, topicStream, INBOX, BROADCAST}
    from '../../herald.js';
import {fakeServer, until, MemoryStorage, ulid} from '../support/fake-websocket.js';

const FAST = {initialMs: 1, maxMs: 5, jitter: 0};

function setup(t, options = {}) {
    const server = fakeServer();
    const client = new Client({url: 'ws://herald.test/ws', uid: 'u1', backoff: FAST, ackDelayMs: 1, storage: null,
        WebSocket: server.WebSocket, ...options});
    const seen = {messages: [], errors: [], gaps: []};
    client.on('message', m => seen.messages.push(m));
    client.on('error', e => seen.errors.push(e));
    client.on('gap', g => seen.gaps.push(g));
    t.after(() => client.close());
    return {server, client, seen};
}

async function login(server, n) {
    const ws = await until(() => server.sockets[n], `socket #${n} opened`);
    ws.accept();
    ws.welcome('u1');
    return ws;
}

/** A durable message frame: n names the id, pos@epoch its place in the stream given by extra (topic / all). */
function at(n, pos, epoch, extra = {}) {
    return {type: 'message', id: ulid(n), ts: 1000 + n, pos, epoch, data: {n}, ...extra};
}

test('after a reconnect each stream resumes from its own position: inbox since, broadcast sinceAll, one subscribe per topic', async t => {
    const {server, client} = setup(t, {topics: ['news', 'quiet']});
    client.connect();
    const first = await login(server, 0);
    first.receive(at(1, 3, 'in1'));
    first.receive(at(2, 10, 'all1', {all: true}));
    first.receive(at(3, 2, 'news1', {topic: 'news'}));
    assert.deepEqual(client.positions, {inbox: '3@in1', all: '10@all1', topics: {news: '2@news1'}});

    first.serverClose(1001, 'server shutting down');
    const second = await login(server, 1);

    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: '3@in1', sinceAll: '10@all1'});
    // 'quiet' never delivered a message: it has no position, so it resumes after the last id, as before positions
    assert.deepEqual(second.framesOfType('subscribe'), [
        {type: 'subscribe', topics: ['news'], ref: 's2', since: '2@news1'},
        {type: 'subscribe', topics: ['quiet'], ref: 's3', since: ulid(3)},
    ]);
});

test('without a broadcast position the login resumes by the last id, which also replays broadcasts', async t => {
    const {server, client} = setup(t);
    client.connect();
    const first = await login(server, 0);
    first.receive(at(4, 7, 'in1'));

    first.serverClose(1006);
    const second = await login(server, 1);

    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: ulid(4)});
});

test('a message at or below its stream\'s last position is dropped (and acked again), even past the id window', async t => {
    const {server, client, seen} = setup(t, {dedupWindow: 1, topics: ['news']});
    client.connect();
    const ws = await login(server, 0);

    ws.receive(at(1, 1, 'e'));
    ws.receive(at(2, 2, 'e'));
    ws.receive(at(1, 1, 'e'));                       // a repeat the id window (1 id) no longer remembers
    ws.receive(at(2, 2, 'e'));
    ws.receive(at(3, 1, 'n', {topic: 'news'}));      // position 1 of another stream: new
    ws.receive(at(4, 3, 'e'));

    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2, 3, 4]);
    assert.deepEqual(seen.messages.map(m => [m.pos, m.epoch, m.topic]), [[1, 'e', undefined], [2, 'e', undefined], [1, 'n', 'news'], [3, 'e', undefined]]);
    await until(() => ws.framesOfType('ack').length > 0, 'an ack frame');
    assert.deepEqual(ws.framesOfType('ack')[0], {type: 'ack', ids: [ulid(1), ulid(2), ulid(3), ulid(4)]});
    ws.receive(at(2, 2, 'e')); // a repeat after the ack went out: acked again, as our ack may be what got lost
    await until(() => ws.framesOfType('ack').length > 1, 'a second ack frame');
    assert.deepEqual(ws.framesOfType('ack')[1], {type: 'ack', id: ulid(2)});
});

test('the same id through two streams is emitted once, and moves both streams\' positions', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const ws = await login(server, 0);

    ws.receive(at(1, 5, 'e'));                               // to the user and to news: the connection got the inbox copy
    ws.receive(at(1, 9, 'n', {topic: 'news'}));              // replayed again through the topic after a resubscribe

    assert.deepEqual(seen.messages.map(m => m.data.n), [1]);
    assert.deepEqual(client.positions, {inbox: '5@e', topics: {news: '9@n'}});
});

test('a new epoch on a message emits gap with the old position, once, then the stream goes on in the new epoch', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const ws = await login(server, 0);
    ws.receive(at(1, 41, 'old'));
    ws.receive(at(2, 6, 'nold', {topic: 'news'}));
    ws.receive(at(3, 8, 'aold', {all: true}));

    ws.receive(at(4, 1, 'new'));
    ws.receive(at(5, 2, 'new'));
    ws.receive(at(6, 1, 'nnew', {topic: 'news'}));
    ws.receive(at(7, 1, 'anew', {all: true}));

    assert.deepEqual(seen.gaps, [{since: '41@old'}, {since: '6@nold', topic: 'news'}, {since: '8@aold', all: true}]);
    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2, 3, 4, 5, 6, 7], 'the messages of the new epoch are delivered');
    assert.deepEqual(client.positions, {inbox: '2@new', all: '1@anew', topics: {news: '1@nnew'}});
});

test('a gap frame is surfaced, names the stream it answers, and the new epoch that follows is not a second gap', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const first = await login(server, 0);
    first.receive(at(1, 41, 'old'));
    first.receive(at(2, 8, 'aold', {all: true}));
    first.receive(at(3, 6, 'nold', {topic: 'news'}));
    first.serverClose(1001);

    const second = await login(server, 1);
    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: '41@old', sinceAll: '8@aold'});
    // a memory store restarted: every stream is in a new epoch; the server answers each cursor with a gap
    second.receive({type: 'gap', since: '41@old'});
    second.receive({type: 'gap', since: '8@aold'});
    second.receive({type: 'subscribed', topics: ['news'], ref: 's2'});
    second.receive({type: 'gap', since: '6@nold', topic: 'news'});
    second.receive(at(4, 1, 'new'));
    second.receive(at(5, 1, 'anew', {all: true}));
    second.receive(at(6, 1, 'nnew', {topic: 'news'}));

    assert.deepEqual(seen.gaps, [{since: '41@old'}, {since: '8@aold', all: true}, {since: '6@nold', topic: 'news'}]);
    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(client.positions, {inbox: '1@new', all: '1@anew', topics: {news: '1@nnew'}});
});

test('a gap frame forgets the stream\'s position: with nothing after it, the next login goes by id, not into the same gap', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const first = await login(server, 0);
    first.receive(at(1, 41, 'old'));
    first.receive(at(2, 8, 'aold', {all: true}));
    first.serverClose(1001);

    const second = await login(server, 1);
    second.receive({type: 'gap', since: '41@old'});
    second.serverClose(1001);

    const third = await login(server, 2);
    assert.deepEqual(third.sent[0], {type: 'auth', uid: 'u1', since: ulid(2), sinceAll: '8@aold'});
    assert.equal(seen.gaps.length, 1);
});

test('a login by id answered with a gap may be about the inbox or the broadcast log: both restart', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const first = await login(server, 0);
    first.receive(at(1, 41, 'old'));
    first.serverClose(1001);

    const second = await login(server, 1);
    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: ulid(1)});
    second.receive({type: 'gap', since: ulid(1)});
    second.receive(at(2, 1, 'new'));

    assert.deepEqual(seen.gaps, [{since: ulid(1)}]);
    assert.deepEqual(client.positions, {inbox: '1@new', topics: {}});
});

test('the login\'s positions frame makes both streams resume by position, with no broadcast ever seen', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const first = await login(server, 0);
    first.receive(at(1, 4, 'in1'));
    first.receive({type: 'positions', inbox: '4@in1', all: '0'});
    assert.deepEqual(client.positions, {inbox: '4@in1', all: '0', topics: {}});
    first.serverClose(1001);

    const second = await login(server, 1);
    // no id fallback: the server said where the broadcast log stood, so sinceAll is exact
    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: '4@in1', sinceAll: '0'});
    second.receive(at(2, 1, 'all1', {all: true})); // the broadcast log's first epoch: not a gap
    second.receive({type: 'positions', inbox: '4@in1', all: '1@all1'});

    assert.deepEqual(seen.gaps, []);
    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2]);
    assert.deepEqual(client.positions, {inbox: '4@in1', all: '1@all1', topics: {}});
});

test('a positions frame after a subscribe gives each topic its resume point, even one that sent nothing', async t => {
    const {server, client} = setup(t, {topics: ['news', 'quiet']});
    client.connect();
    const first = await login(server, 0);
    first.receive({type: 'subscribed', topics: ['news', 'quiet'], ref: 's1'});
    first.receive({type: 'positions', topics: {news: '7@n', quiet: '0', gone: '3@g'}, ref: 's1'});
    assert.deepEqual(client.positions, {topics: {news: '7@n', quiet: '0'}});
    first.serverClose(1001);

    const second = await login(server, 1);
    assert.deepEqual(second.framesOfType('subscribe'), [
        {type: 'subscribe', topics: ['news'], ref: 's2', since: '7@n'},
        {type: 'subscribe', topics: ['quiet'], ref: 's3', since: '0'},
    ]);
});

test('a gap frame with a position moves its stream there, so the next login does not fall into the same gap', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const first = await login(server, 0);
    first.receive({type: 'positions', inbox: '41@old', all: '8@aold'});
    first.serverClose(1001);

    const second = await login(server, 1);
    assert.deepEqual(second.sent[0], {type: 'auth', uid: 'u1', since: '41@old', sinceAll: '8@aold'});
    second.receive({type: 'gap', since: '41@old', position: '0'});
    second.receive({type: 'gap', since: '8@aold', all: true, position: '3@anew'});
    second.receive({type: 'gap', since: '2@nold', topic: 'news', position: '5@nnew'});

    assert.deepEqual(seen.gaps, [{since: '41@old'}, {since: '8@aold', all: true}, {since: '2@nold', topic: 'news'}]);
    assert.deepEqual(client.positions, {inbox: '0', all: '3@anew', topics: {news: '5@nnew'}});
    second.receive(at(1, 1, 'inew')); // the inbox's new epoch, after a gap that already said so
    assert.equal(seen.gaps.length, 3);
});

test('messages without a position (fire-and-forget, older servers) leave the positions alone and are de-duplicated by id', async t => {
    const {server, client, seen} = setup(t);
    client.connect();
    const ws = await login(server, 0);
    ws.receive(at(1, 1, 'e'));
    ws.receive({type: 'message', id: ulid(2), ts: 2, data: {n: 2}});
    ws.receive({type: 'message', id: ulid(2), ts: 2, data: {n: 2}});

    assert.deepEqual(seen.messages.map(m => m.data.n), [1, 2]);
    assert.equal(seen.messages[1].pos, undefined);
    assert.deepEqual(client.positions, {inbox: '1@e', topics: {}});
    assert.equal(client.cursor, ulid(2));
});

test('positions are kept per user in storage next to the id, and a reloaded page resumes by them', async t => {
    const storage = new MemoryStorage();
    const a = setup(t, {storage, topics: ['news']});
    a.client.connect();
    const ws = await login(a.server, 0);
    ws.receive(at(1, 3, 'e'));
    ws.receive(at(2, 4, 'b', {all: true}));
    ws.receive(at(3, 5, 'n', {topic: 'news'}));
    a.client.close();

    assert.deepEqual(JSON.parse(storage.getItem('herald:positions:ws://herald.test/ws:u1')),
        {inbox: '3@e', all: '4@b', topics: {news: '5@n'}});
    assert.equal(storage.getItem('herald:cursor:ws://herald.test/ws:u1'), ulid(3), 'the id stays where older SDKs read it');

    const again = setup(t, {storage, topics: ['news']});
    again.client.connect();
    const resumed = await login(again.server, 0);
    assert.deepEqual(resumed.sent[0], {type: 'auth', uid: 'u1', since: '3@e', sinceAll: '4@b'});
    assert.deepEqual(resumed.framesOfType('subscribe'), [{type: 'subscribe', topics: ['news'], ref: 's1', since: '5@n'}]);
    assert.deepEqual(setup(t, {storage, uid: 'u2'}).client.positions, {topics: {}}, 'another user has its own');
});

test('stored positions that are not positions are ignored', async t => {
    const storage = new MemoryStorage();
    storage.setItem('herald:positions:ws://herald.test/ws:u1', JSON.stringify({inbox: '0@e', all: 'x', topics: {news: '7@e-1', ok: '2@ok'}}));
    storage.setItem('herald:positions:ws://herald.test/ws:u2', '{not json');
    assert.deepEqual(setup(t, {storage}).client.positions, {topics: {ok: '2@ok'}});
    assert.deepEqual(setup(t, {storage, uid: 'u2'}).client.positions, {topics: {}});
});

test('unsubscribe forgets a topic\'s position; subscribe with a position resumes that topic from it', async t => {
    const {server, client} = setup(t, {topics: ['news']});
    client.connect();
    const ws = await login(server, 0);
    ws.receive(at(1, 5, 'n', {topic: 'news'}));

    client.unsubscribe('news');
    assert.deepEqual(client.positions, {topics: {}});
    client.subscribe('news', {since: '3@n'});
    assert.deepEqual(ws.framesOfType('subscribe').at(-1), {type: 'subscribe', topics: ['news'], ref: 's2', since: '3@n'});
    assert.deepEqual(client.positions, {topics: {news: '3@n'}});
    client.subscribe('sports');
    assert.deepEqual(ws.framesOfType('subscribe').at(-1), {type: 'subscribe', topics: ['sports'], ref: 's3'});
});

test('a subscribe refused for its cursor (invalid_cursor) keeps the topic and follows it without one', async t => {
    const {server, client, seen} = setup(t, {topics: ['news']});
    client.connect();
    const ws = await login(server, 0);
    client.subscribe('orders', {since: 'not-a-cursor'});
    ws.receive({type: 'error', code: 'invalid_cursor', message: 'since is neither a message id nor a position', ref: 's2'});

    assert.deepEqual(ws.framesOfType('subscribe').at(-1), {type: 'subscribe', topics: ['orders'], ref: 's3'});
    assert.deepEqual(client.topics, ['news', 'orders']);
    assert.equal(seen.errors[0].code, 'invalid_cursor');
});

// ---- the pure helpers ----

test('positions read and written in the server\'s cursor form', () => {
    assert.deepEqual(parsePosition('7@3f9a0c12'), {pos: 7, epoch: '3f9a0c12'});
    assert.deepEqual(parsePosition('0'), {pos: 0, epoch: ''}, 'a stream nobody wrote to yet');
    for (const bad of ['0@e', '-1@e', '7@', '@e', '7@e-f', '01@e', 'x', '', null, undefined, 7, '99999999999999999@e']) {
        assert.equal(parsePosition(bad), null, `${bad} is not a position`);
    }
    assert.deepEqual(positionOf({pos: 2, epoch: 'b41d77e0'}), {pos: 2, epoch: 'b41d77e0'});
    assert.equal(positionOf({pos: '2', epoch: 'b41d77e0'}), null);
    assert.equal(positionOf({id: 'x'}), null);
});

test('a message frame\'s stream: the broadcast log, a topic, or the inbox', () => {
    assert.equal(streamOf({all: true}), BROADCAST);
    assert.equal(streamOf({topic: 'orders.eu'}), topicStream('orders.eu'));
    assert.equal(streamOf({}), INBOX);
});

test('stream cursors: repeats are at or below the last position of the same epoch; another epoch replaces it', () => {
    const cursors = new StreamCursors();
    cursors.set(INBOX, {pos: 5, epoch: 'a'});
    assert.equal(cursors.isRepeat(INBOX, {pos: 5, epoch: 'a'}), true);
    assert.equal(cursors.isRepeat(INBOX, {pos: 4, epoch: 'a'}), true);
    assert.equal(cursors.isRepeat(INBOX, {pos: 6, epoch: 'a'}), false);
    assert.equal(cursors.isRepeat(INBOX, {pos: 1, epoch: 'b'}), false);
    assert.equal(cursors.isRepeat(BROADCAST, {pos: 1, epoch: 'a'}), false);
    assert.deepEqual(cursors.replacedBy(INBOX, {pos: 1, epoch: 'b'}), {pos: 5, epoch: 'a'});
    assert.equal(cursors.replacedBy(INBOX, {pos: 9, epoch: 'a'}), null);
    assert.equal(cursors.replacedBy(BROADCAST, {pos: 9, epoch: 'a'}), null);
});

test('login cursors: positions when the broadcast log has one, else the id; no cursor at all on a first login', () => {
    const cursors = new StreamCursors();
    assert.deepEqual(loginCursors(cursors, null), {});
    assert.deepEqual(loginCursors(cursors, ulid(1)), {since: ulid(1)});
    cursors.set(INBOX, {pos: 3, epoch: 'e'});
    assert.deepEqual(loginCursors(cursors, ulid(1)), {since: ulid(1)});
    assert.deepEqual(loginCursors(cursors, null), {since: '3@e'});
    cursors.set(BROADCAST, {pos: 9, epoch: 'b'});
    assert.deepEqual(loginCursors(cursors, ulid(1)), {since: '3@e', sinceAll: '9@b'});
    cursors.delete(INBOX);
    assert.deepEqual(loginCursors(cursors, ulid(1)), {since: ulid(1), sinceAll: '9@b'});
});
