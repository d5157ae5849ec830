// Pusher webhooks from Herald, received by a plain Node HTTP server and checked with the `pusher` SDK's own webhook
// verification (X-Pusher-Key, X-Pusher-Signature): occupied/vacated, member added/removed, client events, cache
// misses, subscription counts; vacated suppressed on a quick resubscribe; a failing receiver gets the webhook again
// (Herald's retries). Subscription counting is on here, so pusher-js's channel.subscriptionCount is checked too.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {Herald, subscribed, until, within} from '../support/herald.js';

let herald;
let receiver;
const clients = [];
/** Every webhook that arrived, as {valid, events, status} (the status the receiver answered). */
const received = [];
/** The receiver fails the next `times` webhooks about `channel` with 500 (other webhooks may arrive meanwhile). */
const failing = {channel: null, times: 0};

before(async () => {
    receiver = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8').on('data', c => { body += c; }).on('end', () => {
            const webhook = herald.server().webhook({headers: req.headers, rawBody: body});
            const about = webhook.isValid() ? webhook.getEvents().map(e => e.channel) : [];
            const status = failing.times > 0 && about.includes(failing.channel) ? (failing.times--, 500) : 200;
            received.push({valid: webhook.isValid(), events: webhook.isValid() ? webhook.getEvents() : [], status});
            res.writeHead(status).end();
        });
    });
    await new Promise(r => receiver.listen(0, '127.0.0.1', r));
    herald = await Herald.start({extra: ['--pusher.webhook-url', `http://127.0.0.1:${receiver.address().port}/pusher/webhook`,
        '--notify.retry-initial', '100ms', '--pusher.subscription-count', 'true']});
});
after(async () => {
    clients.forEach(c => c.disconnect());
    await herald?.dispose();
    receiver?.close();
});

const client = options => {
    const c = herald.client(options);
    clients.push(c);
    return c;
};

/** The accepted (2xx) webhook events so far, flattened. */
const events = () => received.filter(r => r.status === 200).flatMap(r => r.events);
const find = (name, channel) => events().filter(e => e.name === name && e.channel === channel);

test('every webhook is signed so that the pusher SDK accepts it', async () => {
    const pusher = client();
    await subscribed(pusher.subscribe('signed-hook'));
    await until(() => find('channel_occupied', 'signed-hook').length === 1, 'channel_occupied');
    assert.ok(received.every(r => r.valid), 'a webhook failed the SDK\'s verification');
});

test('presence: channel_occupied and member_added on join; member_removed and channel_vacated about 3 s after the last leave', async () => {
    const pusher = client({user: 'hook-user'});
    await subscribed(pusher.subscribe('presence-hooks'));
    await until(() => find('member_added', 'presence-hooks').length === 1, 'member_added');
    assert.equal(find('member_added', 'presence-hooks')[0].user_id, 'hook-user');
    assert.equal(find('channel_occupied', 'presence-hooks').length, 1);
    const left = Date.now();
    pusher.disconnect();
    await until(() => find('member_removed', 'presence-hooks').length === 1 && find('channel_vacated', 'presence-hooks').length === 1,
        'member_removed and channel_vacated', 10000);
    assert.ok(Date.now() - left >= 2500, `vacated after ${Date.now() - left} ms, not about 3 s`);
    assert.equal(find('member_removed', 'presence-hooks')[0].user_id, 'hook-user');
});

test('a quick resubscribe sends no channel_vacated and no second channel_occupied', async () => {
    const pusher = client();
    await subscribed(pusher.subscribe('reload'));
    await until(() => find('channel_occupied', 'reload').length === 1, 'channel_occupied');
    pusher.unsubscribe('reload');
    await subscribed(pusher.subscribe('reload'));
    // a channel left for good at the same moment: once its vacated webhook came, reload's would have come too
    await subscribed(pusher.subscribe('left-for-good'));
    pusher.unsubscribe('left-for-good');
    await until(() => find('channel_vacated', 'left-for-good').length === 1, 'vacated for the channel left', 10000);
    assert.equal(find('channel_vacated', 'reload').length, 0);
    assert.equal(find('channel_occupied', 'reload').length, 1);
});

test('client events and cache misses are reported', async () => {
    const a = client();
    const b = client();
    const channel = a.subscribe('private-hook-chat');
    await Promise.all([subscribed(channel), subscribed(b.subscribe('private-hook-chat'))]);
    channel.trigger('client-typing', {who: 'a'});
    const [event] = await until(() => find('client_event', 'private-hook-chat').length && find('client_event', 'private-hook-chat'),
        'client_event');
    assert.equal(event.event, 'client-typing');
    assert.deepEqual(JSON.parse(event.data), {who: 'a'});
    assert.equal(event.socket_id, a.connection.socket_id);
    a.subscribe('cache-hook-empty');
    await until(() => find('cache_miss', 'cache-hook-empty').length === 1, 'cache_miss');
});

test('a receiver that fails gets the webhook again: Herald retries it', async () => {
    Object.assign(failing, {channel: 'retried-hook', times: 1});
    const pusher = client();
    await subscribed(pusher.subscribe('retried-hook'));
    await within(until(() => find('channel_occupied', 'retried-hook').length === 1, 'the retried webhook', 10000), 'retry', 11000);
    const attempts = received.filter(r => r.events.some(e => e.name === 'channel_occupied' && e.channel === 'retried-hook'));
    assert.deepEqual(attempts.map(r => r.status), [500, 200]);
});

test('subscription counting: pusher-js learns the count of a channel, and the webhook reports it', async () => {
    const [a, b] = [client(), client()];
    const channel = a.subscribe('counted');
    await subscribed(channel);
    await subscribed(b.subscribe('counted'));
    await until(() => channel.subscriptionCount === 2, 'subscriptionCount 2 in pusher-js');
    await until(() => find('subscription_count', 'counted').some(e => e.subscription_count === 2), 'subscription_count webhook');
    b.unsubscribe('counted');
    await until(() => channel.subscriptionCount === 1, 'subscriptionCount 1 in pusher-js');
});
