// pusher-js 8 and the `pusher` server SDK 5 against Herald's Pusher endpoint: connect, public, private, presence and
// cache channels, triggers (one, many channels, batch, socket_id exclusion), client events, channel info.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {APP, Herald, connected, next, subscribed, until, within} from '../support/herald.js';

let herald;
const clients = [];
const client = options => {
    const c = herald.client(options);
    clients.push(c);
    return c;
};

before(async () => { herald = await Herald.start(); });
after(async () => {
    clients.forEach(c => c.disconnect());
    await herald?.dispose();
});

test('pusher-js connects and gets a socket id of the form digits.digits', async () => {
    const socketId = await within(connected(client()), 'connection');
    assert.match(socketId, /^\d+\.\d+$/);
});

test('a trigger from the server SDK reaches a public channel, data decoded as pusher-js decodes it', async () => {
    const pusher = client();
    const channel = pusher.subscribe('orders');
    await within(subscribed(channel), 'subscription');
    const got = next(channel, 'order.shipped');
    const res = await herald.server().trigger('orders', 'order.shipped', {id: 7, items: ['book']});
    assert.equal(res.status, 200);
    assert.deepEqual(await within(got, 'event'), {id: 7, items: ['book']});
});

test('a trigger to several channels reaches each, and excludes the socket_id it names', async () => {
    const sender = client();
    const other = client();
    const [senderChannel, otherChannel] = [sender.subscribe('room-a'), other.subscribe('room-b')];
    const senderB = sender.subscribe('room-b');
    await Promise.all([subscribed(senderChannel), subscribed(otherChannel), subscribed(senderB)]);
    let senderGot = 0;
    senderChannel.bind('hello', () => senderGot++);
    senderB.bind('hello', () => senderGot++);
    const otherGot = next(otherChannel, 'hello');
    await herald.server().trigger(['room-a', 'room-b'], 'hello', {n: 1}, {socket_id: sender.connection.socket_id});
    assert.deepEqual(await within(otherGot, 'event on room-b'), {n: 1});
    // a marker sent after it, without exclusion: once it arrived, the excluded event would have too
    const marker = next(senderChannel, 'marker');
    await herald.server().trigger('room-a', 'marker', {});
    await within(marker, 'marker');
    assert.equal(senderGot, 0, 'the excluded socket got the event');
});

test('triggerBatch delivers every event in order', async () => {
    const pusher = client();
    const channel = pusher.subscribe('batch-channel');
    await subscribed(channel);
    const seen = [];
    channel.bind_global((event, data) => { if (!event.startsWith('pusher')) seen.push([event, data]); });
    const res = await herald.server().triggerBatch([
        {channel: 'batch-channel', name: 'one', data: {n: 1}},
        {channel: 'batch-channel', name: 'two', data: {n: 2}},
    ]);
    assert.equal(res.status, 200);
    await until(() => seen.length === 2, 'two batch events');
    assert.deepEqual(seen, [['one', {n: 1}], ['two', {n: 2}]]);
});

test('a private channel subscribes with an auth from authorizeChannel; a forged auth is refused', async () => {
    const pusher = client();
    const channel = pusher.subscribe('private-App.Models.User.1');
    await within(subscribed(channel), 'private subscription');
    const got = next(channel, 'invoice.paid');
    await herald.server().trigger('private-App.Models.User.1', 'invoice.paid', {amount: 12});
    assert.deepEqual(await within(got, 'private event'), {amount: 12});

    const forger = new (await import('pusher-js')).default(APP.key, {
        wsHost: '127.0.0.1', wsPort: herald.port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1',
        channelAuthorization: {customHandler: (params, callback) => callback(null, {auth: `${APP.key}:${'0'.repeat(64)}`})},
    });
    clients.push(forger);
    const refused = forger.subscribe('private-App.Models.User.1');
    const error = await within(new Promise(r => refused.bind('pusher:subscription_error', r)), 'subscription_error');
    assert.equal(error.status, 401);
});

test('presence: ids, hash and count on subscribe; member_added and member_removed only on a user\'s first and last connection', async () => {
    const alice = client({user: 'alice', userInfo: {name: 'Alice'}});
    const room = alice.subscribe('presence-room.1');
    await within(subscribed(room), 'alice in the room');
    assert.equal(room.members.count, 1);

    const added = [];
    const removed = [];
    room.bind('pusher:member_added', m => added.push(m.id));
    room.bind('pusher:member_removed', m => removed.push(m.id));

    const bob1 = client({user: 'bob', userInfo: {name: 'Bob'}});
    const bobRoom1 = bob1.subscribe('presence-room.1');
    await subscribed(bobRoom1);
    assert.equal(bobRoom1.members.count, 2);
    assert.deepEqual(bobRoom1.members.get('alice').info, {name: 'Alice'});
    await until(() => added.length === 1, 'member_added for bob');

    const bob2 = client({user: 'bob', userInfo: {name: 'Bob'}});
    await subscribed(bob2.subscribe('presence-room.1'));
    bob1.disconnect();
    // bob is still there through his second connection: a trigger after it shows no member_removed came
    const marker = next(room, 'marker');
    await herald.server().trigger('presence-room.1', 'marker', {});
    await within(marker, 'marker');
    assert.deepEqual(added, ['bob']);
    assert.deepEqual(removed, []);
    bob2.disconnect();
    await until(() => removed.length === 1, 'member_removed for bob');
    assert.deepEqual(removed, ['bob']);
    assert.equal(room.members.count, 1);

    const users = await herald.server().get({path: '/channels/presence-room.1/users'});
    assert.deepEqual(await users.json(), {users: [{id: 'alice'}]});
});

test('client events reach the other subscribers of a private channel, never the sender', async () => {
    const a = client();
    const b = client();
    const [ca, cb] = [a.subscribe('private-chat'), b.subscribe('private-chat')];
    await Promise.all([subscribed(ca), subscribed(cb)]);
    let echoed = 0;
    ca.bind('client-typing', () => echoed++);
    const got = next(cb, 'client-typing');
    assert.equal(ca.trigger('client-typing', {who: 'a'}), true);
    assert.deepEqual(await within(got, 'client event'), {who: 'a'});
    const marker = next(ca, 'marker');
    await herald.server().trigger('private-chat', 'marker', {});
    await within(marker, 'marker');
    assert.equal(echoed, 0, 'the sender got its own client event');
});

test('client events on a presence channel carry the sender\'s user_id', async () => {
    const a = client({user: 'carol'});
    const b = client({user: 'dave'});
    const [ca, cb] = [a.subscribe('presence-desk'), b.subscribe('presence-desk')];
    await Promise.all([subscribed(ca), subscribed(cb)]);
    const got = new Promise(resolve => cb.bind('client-wave', (data, metadata) => resolve(metadata)));
    ca.trigger('client-wave', {});
    assert.equal((await within(got, 'client event')).user_id, 'carol');
});

test('more than 10 client events a second are refused with 4301', async () => {
    const a = client();
    const ca = a.subscribe('private-flood');
    await subscribed(ca);
    const errors = [];
    a.connection.bind('error', e => errors.push(e));
    for (let i = 0; i < 12; i++) ca.trigger('client-x', {i});
    await until(() => errors.some(e => e.data?.code === 4301), 'a 4301 error');
});

test('a cache channel replays its last event on subscribe, and sends pusher:cache_miss when it has none', async () => {
    const pusher = client();
    const empty = pusher.subscribe('cache-empty');
    await within(new Promise(r => empty.bind('pusher:cache_miss', r)), 'cache_miss');

    await herald.server().trigger('cache-prices', 'price', {eur: 1});
    await herald.server().trigger('cache-prices', 'price', {eur: 2});
    const late = client();
    const prices = late.subscribe('cache-prices');
    assert.deepEqual(await within(next(prices, 'price'), 'cached event'), {eur: 2});
});

test('channel info: occupied, subscription_count, user_count and the channel list', async () => {
    const a = client({user: 'erin'});
    await subscribed(a.subscribe('presence-info'));
    await subscribed(a.subscribe('info-public'));
    const sdk = herald.server();
    const one = await (await sdk.get({path: '/channels/presence-info', params: {info: 'user_count,subscription_count'}})).json();
    assert.deepEqual(one, {occupied: true, user_count: 1, subscription_count: 1});
    const vacant = await (await sdk.get({path: '/channels/nobody-here'})).json();
    assert.deepEqual(vacant, {occupied: false});
    const list = await (await sdk.get({path: '/channels', params: {filter_by_prefix: 'presence-info', info: 'user_count'}})).json();
    assert.deepEqual(list, {channels: {'presence-info': {user_count: 1}}});
    const trigger = await (await sdk.trigger('info-public', 'x', {}, {info: 'subscription_count'})).json();
    assert.deepEqual(trigger, {channels: {'info-public': {subscription_count: 1}}});
});

test('a request with a wrong signature is refused with 401', async () => {
    const wrong = new (await import('pusher')).default({appId: '4242', key: 'herald-compat-key', secret: 'not-the-secret-at-all',
        host: '127.0.0.1', port: String(herald.port), useTLS: false});
    await assert.rejects(wrong.trigger('orders', 'x', {}), e => e.status === 401);
});

test('a trigger larger than 10 KB is refused with 413', async () => {
    await assert.rejects(herald.server().trigger('orders', 'big', 'x'.repeat(11 * 1024)), e => e.status === 413);
});
