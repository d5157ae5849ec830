// The pure decisions of the SDK: backoff, close codes, de-duplication, cursor, URLs, token subjects.
import test from 'node:test';
import assert from 'node:assert/strict';
import {backoffDelay, reconnectAfter, RecentIds, laterId, tokenSubject, webSocketUrl, DEFAULT_BACKOFF, noticeText} from '../../herald.js';

test('backoff doubles from initialMs and stops growing at maxMs', () => {
    const noJitter = {initialMs: 1000, maxMs: 30000, jitter: 0};
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(a => backoffDelay(a, noJitter)),
        [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('full jitter waits anywhere between 0 and the ceiling', () => {
    assert.equal(backoffDelay(3, {jitter: 1}, () => 0), 8000);
    assert.equal(backoffDelay(3, {jitter: 1}, () => 0.999999), 0);
    assert.equal(backoffDelay(3, {jitter: 1}, () => 0.5), 4000);
    assert.equal(backoffDelay(3, {jitter: 0.25}, () => 0.999999), 6000); // only a quarter taken off at most
    for (let i = 0; i < 200; i++) {
        const d = backoffDelay(2, DEFAULT_BACKOFF);
        assert.ok(d >= 0 && d <= 4000, `delay ${d} within [0, 4000]`);
    }
});

test('close codes follow the "reconnect?" column of docs/protocol.md', () => {
    for (const code of [1000, 1001, 1006, 4002, 4008, 4010, 4500, 4999]) {
        assert.equal(reconnectAfter(code), true, `reconnect after ${code}`);
    }
    for (const code of [1002, 1003, 1007, 1009, 4001, 4003, 4004, 4006, 4009]) {
        assert.equal(reconnectAfter(code), false, `no reconnect after ${code}`);
    }
});

test('4001 is retried once when the app hands out tokens through a function', () => {
    assert.equal(reconnectAfter(4001, {tokenFunction: true}), true);
    assert.equal(reconnectAfter(4001, {tokenFunction: true, previousCode: 1006}), true);
    assert.equal(reconnectAfter(4001, {tokenFunction: true, previousCode: 4001}), false);
    assert.equal(reconnectAfter(4001, {tokenFunction: false}), false);
});

test('recent ids detect duplicates within a bounded window, forgetting the oldest', () => {
    const recent = new RecentIds(3);
    assert.equal(recent.add('A'), true);
    assert.equal(recent.add('B'), true);
    assert.equal(recent.add('A'), false);
    assert.equal(recent.add('C'), true);
    assert.equal(recent.add('D'), true); // forgets A
    assert.equal(recent.ids.size, 3);
    assert.equal(recent.add('B'), false);
    assert.equal(recent.add('A'), true);
});

test('the cursor is the larger id, comparing ULIDs as strings', () => {
    assert.equal(laterId(null, '01M84KBE4058Q9JAX7N7WGEN7Z'), '01M84KBE4058Q9JAX7N7WGEN7Z');
    assert.equal(laterId('01M84KBE4058Q9JAX7N7WGEN7Z', null), '01M84KBE4058Q9JAX7N7WGEN7Z');
    assert.equal(laterId('01M84KBE4058Q9JAX7N7WGEN7Z', '01M84KBE2MRP239X1K0NX1QNTP'), '01M84KBE4058Q9JAX7N7WGEN7Z');
    assert.equal(laterId('01M84KBE2MRP239X1K0NX1QNTP', '01M84KBE4058Q9JAX7N7WGEN7Z'), '01M84KBE4058Q9JAX7N7WGEN7Z');
});

test('the user of a token is read from its sub (base64url, UTF-8), never trusted for more', () => {
    const part = obj => Buffer.from(JSON.stringify(obj)).toString('base64url');
    assert.equal(tokenSubject(`${part({alg: 'HS256'})}.${part({sub: 'ümit-42', exp: 1})}.sig`), 'ümit-42');
    assert.equal(tokenSubject(`${part({alg: 'HS256'})}.${part({exp: 1})}.sig`), null);
    assert.equal(tokenSubject('opaque-token'), null);
});

test('http URLs become WebSocket URLs of /ws', () => {
    assert.equal(webSocketUrl('http://127.0.0.1:8181'), 'ws://127.0.0.1:8181/ws');
    assert.equal(webSocketUrl('https://push.example.com/'), 'wss://push.example.com/ws');
    assert.equal(webSocketUrl('wss://push.example.com/herald/ws'), 'wss://push.example.com/herald/ws');
    assert.throws(() => webSocketUrl(undefined), /url is required/);
});

test('a desktop notice takes the data\'s notification object, else Herald and the data as text', () => {
    assert.deepEqual(noticeText({data: {notification: {title: 'Build finished', text: 'herald#42 is green'}}}),
        {title: 'Build finished', body: 'herald#42 is green'});
    assert.deepEqual(noticeText({data: {notification: {body: 'no title'}}, topic: 'ci'}), {title: 'Herald · ci', body: 'no title'});
    assert.deepEqual(noticeText({data: 'Hello World'}), {title: 'Herald', body: 'Hello World'});
    assert.deepEqual(noticeText({data: {progress: 50}}), {title: 'Herald', body: '{"progress":50}'});
    assert.equal(noticeText({data: 'x'.repeat(400)}).body.length, 300);
});
