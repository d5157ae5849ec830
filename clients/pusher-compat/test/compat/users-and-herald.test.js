// Users and the one push center: pusher-js sign-in, sendToUser and terminateUserConnections from the server SDK;
// Herald's own API reaching Pusher clients and Pusher triggers reaching Herald's own WebSocket clients;
// Laravel Echo 2 on top of pusher-js; pusher-js reconnecting across a Herald restart.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import Echo from 'laravel-echo';
import {Herald, connected, next, subscribed, until, within} from '../support/herald.js';

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

/** pusher-js signs in (pusher:signin); once the server confirmed it, pusher-js subscribes its #server-to-user- channel. */
async function signedIn(pusher) {
    pusher.signin();
    await until(() => pusher.user.serverToUserChannel?.subscribed, '#server-to-user- subscription');
    return pusher;
}

/** A Herald-protocol WebSocket (Herald's own clients), following `topics`; resolves once subscribed. */
async function heraldSocket(uid, topics) {
    const ws = new WebSocket(`ws://127.0.0.1:${herald.port}/ws?uid=${uid}`);
    const frames = [];
    ws.onmessage = e => frames.push(JSON.parse(e.data));
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    await until(() => frames.some(f => f.type === 'welcome'), 'welcome');
    ws.send(JSON.stringify({type: 'subscribe', topics}));
    await until(() => frames.some(f => f.type === 'subscribed' || f.type === 'positions'), 'subscribed', 3000).catch(() => {});
    return {ws, frames};
}

test('sendToUser reaches every signed-in connection of the user', async () => {
    const a = await signedIn(client({user: 'u-send'}));
    const b = await signedIn(client({user: 'u-send'}));
    const gotA = new Promise(r => a.user.bind('invoice', r));
    const gotB = new Promise(r => b.user.bind('invoice', r));
    const res = await herald.server().sendToUser('u-send', 'invoice', {total: 3});
    assert.equal(res.status, 200);
    assert.deepEqual(await within(gotA, 'user event on a'), {total: 3});
    assert.deepEqual(await within(gotB, 'user event on b'), {total: 3});
});

test('a Herald publish to a user reaches the user\'s pusher-js connections', async () => {
    const pusher = await signedIn(client({user: 'u-herald'}));
    const got = new Promise(r => pusher.user.bind('herald.message', r));
    await herald.publish({users: ['u-herald']}, {text: 'from Herald'});
    assert.deepEqual(await within(got, 'herald message'), {text: 'from Herald'});
});

test('a Herald publish to a topic reaches the Pusher channel of that name, with the event its data names', async () => {
    const pusher = client();
    const channel = pusher.subscribe('news');
    await subscribed(channel);
    const plain = next(channel, 'herald.message');
    await herald.publish({topics: ['news']}, {headline: 'plain'});
    assert.deepEqual(await within(plain, 'herald.message'), {headline: 'plain'});
    const named = next(channel, 'breaking');
    await herald.publish({topics: ['news']}, {event: 'breaking', data: JSON.stringify({headline: 'named'})});
    assert.deepEqual(await within(named, 'named event'), {headline: 'named'});
});

test('a Pusher trigger reaches Herald WebSocket clients that follow the topic', async t => {
    const {ws, frames} = await heraldSocket('herald-user', ['prices']);
    t.after(() => ws.close());
    const pusher = client();
    await subscribed(pusher.subscribe('prices'));
    await herald.server().trigger('prices', 'tick', {eur: 5});
    const message = await until(() => frames.find(f => f.type === 'message' && f.topic === 'prices'), 'Herald message frame');
    assert.deepEqual(message.data, {event: 'tick', data: JSON.stringify({eur: 5})});
});

test('terminateUserConnections closes the user\'s connections and pusher-js does not reconnect', async () => {
    const pusher = await signedIn(client({user: 'u-term'}));
    const states = [];
    pusher.connection.bind('state_change', s => states.push(s.current));
    const res = await herald.server().terminateUserConnections('u-term');
    assert.equal(res.status, 200);
    await until(() => pusher.connection.state === 'disconnected' || pusher.connection.state === 'failed', 'disconnected');
    assert.ok(!states.includes('connected'), `reconnected: ${states}`);
});

test('Laravel Echo: private(…).listen, join(…) with here, joining and leaving, and whisper', async () => {
    const echo = new Echo({broadcaster: 'pusher', client: client({user: '1', userInfo: {name: 'Taylor'}})});
    const shipped = new Promise(resolve => echo.private('orders.1').listen('OrderShipped', resolve));
    await until(() => echo.connector.pusher.channel('private-orders.1')?.subscribed, 'Echo private subscription');
    await herald.server().trigger('private-orders.1', 'App\\Events\\OrderShipped', {order: {id: 1}});
    assert.deepEqual(await within(shipped, 'OrderShipped'), {order: {id: 1}});

    const here = new Promise(resolve => {
        const joining = [];
        const leaving = [];
        const room = echo.join('chat.9')
            .here(users => resolve({users, joining, leaving, room}))
            .joining(user => joining.push(user))
            .leaving(user => leaving.push(user));
    });
    const {users, joining, leaving, room} = await within(here, 'here');
    assert.deepEqual(users, [{name: 'Taylor'}]);

    const other = new Echo({broadcaster: 'pusher', client: client({user: '2', userInfo: {name: 'Abigail'}})});
    const whispered = new Promise(resolve => other.join('chat.9').listenForWhisper('typing', resolve));
    await until(() => joining.length === 1, 'joining');
    assert.deepEqual(joining, [{name: 'Abigail'}]);
    await until(() => other.connector.pusher.channel('presence-chat.9')?.subscribed, 'Abigail in the room');
    room.whisper('typing', {name: 'Taylor'});
    assert.deepEqual(await within(whispered, 'whisper'), {name: 'Taylor'});
    other.disconnect();
    await until(() => leaving.length === 1, 'leaving');
    assert.deepEqual(leaving, [{name: 'Abigail'}]);
});

test('pusher-js reconnects by itself across a Herald restart and resubscribes its channels', async () => {
    const pusher = client();
    const channel = pusher.subscribe('after-restart');
    await subscribed(channel);
    const firstSocket = pusher.connection.socket_id;
    await herald.restart();
    await until(() => pusher.connection.state === 'connected' && pusher.connection.socket_id !== firstSocket, 'reconnected', 20000);
    await until(async () => (await (await herald.server().get({path: '/channels/after-restart'})).json()).occupied, 'resubscribed', 10000);
    const got = next(channel, 'back');
    await herald.server().trigger('after-restart', 'back', {ok: true});
    assert.deepEqual(await within(got, 'event after restart'), {ok: true});
});
