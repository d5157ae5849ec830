// Resuming by stream position against a real server: the page keeps the last pos@epoch of its inbox, of the
// broadcast log and of each topic, and logs in / re-subscribes with them. Needs durable delivery on the server.
import test from 'node:test';
import assert from 'node:assert/strict';
import {newContext, sharedBrowser, startServer} from '../support/fixtures.js';
import {mintToken} from '../support/herald-process.js';
import {openClientPage, recorded, stateCount, waitForIds, waitForState, waitUntilOffline, waitUntilSubscribed}
    from '../support/page.js';

const browser = sharedBrowser();
const POSITION = /^[1-9][0-9]*@[A-Za-z0-9]+$/;

/** Publishes n to the user, n+1 to everyone, n+2 to the topic 'news'; returns [{n, id, stream}]. */
async function publishToEachStream(server, n) {
    return [
        {n, stream: 'inbox', id: await server.publish('u1', {n})},
        {n: n + 1, stream: 'all', id: await server.publishToAll({n: n + 1})},
        {n: n + 2, stream: 'news', id: await server.publishToTopic('news', {n: n + 2})},
    ];
}

const streamOf = m => m.all ? 'all' : m.topic ?? 'inbox';

/** Every expected message arrived once, and each stream's in publish order (order across streams is not promised). */
async function assertOncePerStreamInOrder(page, expected) {
    await waitForIds(page, expected);
    const received = (await recorded(page)).messages;
    assert.deepEqual(received.map(m => m.id).sort(), expected.map(m => m.id).sort(), 'each message once, nothing else');
    for (const stream of ['inbox', 'all', 'news']) {
        assert.deepEqual(received.filter(m => streamOf(m) === stream).map(m => m.data.n),
            expected.filter(m => m.stream === stream).map(m => m.n), `${stream}: in publish order`);
    }
}

async function holdReconnects(page) {
    await page.evaluate(() => window.gate.close());
    return (await recorded(page)).tokenRequests;
}

async function waitUntilHeldAtToken(page, requestsBefore) {
    await page.waitForFunction(n => window.rec.tokenRequests > n, requestsBefore, {timeout: 15000, polling: 20});
}

test('durable: after a kick and a restart the page resumes every stream from its position, once each, in order', async t => {
    const server = await startServer(t, {auth: true});
    const token = mintToken('u1');
    const page = await openClientPage(await newContext(t, browser()), server,
        {gatedToken: token, topics: ['news'], reconnectOnKick: true, backoff: {initialMs: 100, maxMs: 500}, storage: null});
    await waitForState(page, {state: 'open'});
    await waitUntilSubscribed(server, 'u1', 'news');
    const live = await publishToEachStream(server, 1);
    await waitForIds(page, live);
    const positions = await page.evaluate(() => window.client.positions);
    for (const p of [positions.inbox, positions.all, positions.topics.news]) assert.match(p, POSITION);
    const messages = (await recorded(page)).messages;
    assert.deepEqual(messages.map(m => `${m.pos}@${m.epoch}`), [positions.inbox, positions.all, positions.topics.news],
        'the positions are those of the last message of each stream');

    // away: kicked and held at the token function; the server restarts while the page is away
    const requests = await holdReconnects(page);
    await server.kick('u1');
    await waitUntilHeldAtToken(page, requests);
    await waitUntilOffline(server, 'u1');
    const beforeRestart = await publishToEachStream(server, 4);
    await server.restart();
    const afterRestart = await publishToEachStream(server, 7);

    const from = await stateCount(page);
    const sentBefore = page.sentFrames.length;
    await page.evaluate(() => window.gate.open());
    await waitForState(page, {state: 'open'}, {from});
    await waitUntilSubscribed(server, 'u1', 'news');

    const resumedWith = page.sentFrames.slice(sentBefore);
    assert.deepEqual(resumedWith.find(f => f.type === 'auth'),
        {type: 'auth', token, since: positions.inbox, sinceAll: positions.all});
    assert.deepEqual(resumedWith.filter(f => f.type === 'subscribe').map(({topics, since}) => ({topics, since})),
        [{topics: ['news'], since: positions.topics.news}]);
    await assertOncePerStreamInOrder(page, [...live, ...beforeRestart, ...afterRestart, ...await publishToEachStream(server, 10)]);
    assert.deepEqual((await recorded(page)).gaps, [], 'a restart with a durable store keeps every epoch');
});

test('a store that lost its history (memory store restarted): one gap per stream, then the new history once each', async t => {
    const server = await startServer(t, {store: 'memory'});
    const page = await openClientPage(await newContext(t, browser()), server,
        {uid: 'u1', topics: ['news'], backoff: {initialMs: 100, maxMs: 500}, storage: null});
    await waitForState(page, {state: 'open'});
    await waitUntilSubscribed(server, 'u1', 'news');
    const before = await publishToEachStream(server, 1);
    await waitForIds(page, before);
    const old = await page.evaluate(() => window.client.positions);

    const from = await stateCount(page);
    await server.restart();
    await waitForState(page, {state: 'reconnecting', code: 1001}, {from});
    await waitForState(page, {state: 'open'}, {from});
    await waitUntilSubscribed(server, 'u1', 'news');
    const after = await publishToEachStream(server, 4);

    await assertOncePerStreamInOrder(page, [...before, ...after]);
    const {gaps} = await recorded(page);
    const sortByStream = list => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(sortByStream(gaps), sortByStream([{since: old.inbox}, {since: old.all, all: true}, {since: old.topics.news, topic: 'news'}]));
    const now = await page.evaluate(() => window.client.positions);
    for (const [was, is] of [[old.inbox, now.inbox], [old.all, now.all], [old.topics.news, now.topics.news]]) {
        assert.match(is, POSITION);
        assert.notEqual(is.split('@')[1], was.split('@')[1], 'the stream goes on in its new epoch');
    }
});
