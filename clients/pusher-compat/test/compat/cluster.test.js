// Two Herald nodes on one Redis and one PostgreSQL as one Pusher app, driven by pusher-js, Laravel Echo and the
// `pusher` server SDK pointed at different nodes: presence (here / joining / leaving) across nodes, a trigger on one
// node reaching clients of the other, channel info with the cluster's counts from either node, and a node killed with
// SIGKILL leaving its members within cluster.node-ttl plus a heartbeat. PusherCompatIT names the store and the broker
// (HERALD_CLUSTER_STORE, HERALD_CLUSTER_BROKER, HERALD_CLUSTER_PREFIX); without them this file is skipped.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import Echo from 'laravel-echo';
import {Herald, connected, next, subscribed, until, within} from '../support/herald.js';

const STORE = process.env.HERALD_CLUSTER_STORE;
const BROKER = process.env.HERALD_CLUSTER_BROKER;
const PREFIX = process.env.HERALD_CLUSTER_PREFIX;
const skip = !(STORE && BROKER && PREFIX) && 'HERALD_CLUSTER_STORE, HERALD_CLUSTER_BROKER and HERALD_CLUSTER_PREFIX name the cluster (PusherCompatIT sets them)';

test('two nodes on Redis are one Pusher app: presence, triggers and channel info across nodes; a killed node leaves', {skip}, async () => {
    const flags = ['--broker', BROKER, '--cluster.channel-prefix', PREFIX, '--cluster.heartbeat', '200ms', '--cluster.node-ttl', '1s'];
    const a = await Herald.start({store: STORE, nodeId: 'a', extra: flags});
    const b = await Herald.start({store: STORE, nodeId: 'b', extra: flags});
    const clients = [];
    const client = (node, options) => {
        const c = node.client(options);
        clients.push(c);
        return c;
    };
    try {
        // Laravel Echo on node a: here, joining, leaving
        const echo = new Echo({broadcaster: 'pusher', client: client(a, {user: '1', userInfo: {name: 'Taylor'}})});
        let here = null;
        const joining = [];
        const leaving = [];
        echo.join('room').here(users => { here = users; }).joining(u => joining.push(u.name)).leaving(u => leaving.push(u.name));
        await until(() => here !== null, 'Echo here() on node a');
        assert.deepEqual(here, [{name: 'Taylor'}]);

        // pusher-js on node b joins the same room: it sees Taylor, and Echo on a sees it join
        const abigail = client(b, {user: '2', userInfo: {name: 'Abigail'}});
        await within(connected(abigail), 'connection to node b');
        const roomOnB = abigail.subscribe('presence-room');
        await within(subscribed(roomOnB), 'presence on node b');
        assert.equal(roomOnB.members.count, 2);
        assert.deepEqual(roomOnB.members.get('1').info, {name: 'Taylor'});
        await until(() => joining.includes('Abigail'), 'Echo joining() on node a for a member of node b');

        // the server SDK triggers through node b; the event reaches the client of node a
        const onA = client(a);
        const news = onA.subscribe('news');
        await within(subscribed(news), 'news on node a');
        const arrived = next(news, 'story');
        await b.server().trigger('news', 'story', {id: 7});
        assert.deepEqual(await within(arrived, 'a trigger on node b at node a'), {id: 7});

        // channel info from either node counts both nodes' subscribers
        const onB = client(b);
        await within(subscribed(onB.subscribe('news')), 'news on node b');
        for (const node of [a, b]) {
            await until(async () => (await (await node.server().get({path: '/channels/news', params: {info: 'subscription_count'}})).json())
                .subscription_count === 2, `subscription_count 2 from node ${node.nodeId}`);
            const users = await (await node.server().get({path: '/channels/presence-room/users'})).json();
            assert.deepEqual(users.users.map(u => u.id).sort(), ['1', '2']);
        }

        // node b dies: Abigail leaves the room on node a within node-ttl (1 s) plus a heartbeat, with slack
        const killedAt = Date.now();
        await b.kill();
        await until(() => leaving.includes('Abigail'), 'Echo leaving() on node a for the member of the killed node', 5000);
        console.log(`member_removed ${Date.now() - killedAt} ms after the SIGKILL of node b (node-ttl 1 s, heartbeat 200 ms)`);
        const users = await (await a.server().get({path: '/channels/presence-room/users'})).json();
        assert.deepEqual(users, {users: [{id: '1'}]});
    } finally {
        clients.forEach(c => c.disconnect());
        await a.dispose();
        await b.dispose();
    }
});
