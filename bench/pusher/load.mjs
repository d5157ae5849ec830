// Load for bench/run-pusher: CONNS raw Pusher protocol 7 WebSockets subscribed to one public channel, then events
// triggered through the signed HTTP API (POST /apps/{id}/events) at a fixed rate; prints one JSON line of figures.
// No dependencies: Node's own WebSocket (node --experimental-websocket on Node 20) and crypto. Same frames and
// signing for every server, so Herald and soketi read the same bytes.
//
// Figures: server RSS (from /proc/<pid>/status) before the first connection and after the last subscription, hence
// bytes per connection and connections per MiB; deliveries per second over the trigger window; delivery latency =
// receipt time - the trigger's intended send time (open loop: a late trigger or a slow server is charged in full).
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    ws: { type: 'string' }, http: { type: 'string' }, 'app-id': { type: 'string' }, key: { type: 'string' },
    secret: { type: 'string' }, pid: { type: 'string' }, conns: { type: 'string', default: '100' },
    channel: { type: 'string', default: 'bench' }, rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '5' }, 'in-flight': { type: 'string', default: '100' },
    settle: { type: 'string', default: '2' }, drain: { type: 'string', default: '2' }, label: { type: 'string', default: '' },
  },
});
const conns = +o.conns, rate = +o.rate, duration = +o.duration, inFlight = +o['in-flight'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? +m[1] * 1024 : NaN;
}

// Pusher's HTTP API signing: auth_signature = HMAC-SHA256(secret, "METHOD\nPATH\nsorted query"), body_md5 of the body
function signedUrl(method, path, body) {
  const q = {
    auth_key: o.key, auth_timestamp: Math.floor(Date.now() / 1000).toString(), auth_version: '1.0',
    body_md5: createHash('md5').update(body).digest('hex'),
  };
  const query = Object.keys(q).sort().map((k) => `${k}=${q[k]}`).join('&');
  const sig = createHmac('sha256', o.secret).update(`${method}\n${path}\n${query}`).digest('hex');
  return `${o.http}${path}?${query}&auth_signature=${sig}`;
}

const latencies = []; // ms, one per receipt
let received = 0, closedEarly = 0, subscribed = 0;
const sockets = [];

function open(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${o.ws}/app/${o.key}?protocol=7&client=herald-bench&version=1.0`);
    let done = false;
    const fail = (why) => { if (!done) { done = true; reject(new Error(`connection ${i}: ${why}`)); } };
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.event === 'pusher:connection_established') {
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: o.channel } }));
      } else if (f.event === 'pusher_internal:subscription_succeeded') {
        subscribed++; done = true; resolve(ws);
      } else if (f.event === 'bench') {
        const now = Date.now();
        received++;
        latencies.push(now - JSON.parse(f.data).t);
      } else if (f.event === 'pusher:ping') {
        ws.send('{"event":"pusher:pong","data":{}}');
      } else if (f.event === 'pusher:error' && !done) {
        fail(JSON.stringify(f.data));
      }
    };
    ws.onerror = () => fail('socket error');
    ws.onclose = (e) => { if (done) closedEarly++; else fail(`closed ${e.code}`); };
  });
}

async function connectAll() {
  let next = 0;
  const worker = async () => { while (next < conns) { const i = next++; sockets.push(await open(i)); } };
  await Promise.all(Array.from({ length: Math.min(inFlight, conns) }, worker));
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] : NaN;
}

const rssBefore = o.pid ? rssBytes(o.pid) : NaN;
const t0 = Date.now();
await connectAll();
const connectSeconds = (Date.now() - t0) / 1000;
await sleep(+o.settle * 1000); // let the server finish what the logins allocated before reading its RSS
const rssAfter = o.pid ? rssBytes(o.pid) : NaN;

// open loop: trigger i is due at start + i/rate, whether or not earlier ones were answered
const path = `/apps/${o['app-id']}/events`;
const total = Math.round(rate * duration);
let sent = 0, ok = 0, failed = 0;
const answers = [];
const start = Date.now() + 50;
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait);
  const body = JSON.stringify({ name: 'bench', channels: [o.channel], data: JSON.stringify({ t: due, i }) });
  sent++;
  answers.push(fetch(signedUrl('POST', path, body), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    .then(async (r) => { await r.arrayBuffer(); r.ok ? ok++ : failed++; if (!r.ok && failed === 1) console.error(`trigger answered ${r.status}`); })
    .catch((e) => { failed++; if (failed === 1) console.error(`trigger failed: ${e.message}`); }));
}
await Promise.all(answers);
const windowSeconds = (Date.now() - start) / 1000;
await sleep(+o.drain * 1000);

latencies.sort((a, b) => a - b);
const grew = rssAfter - rssBefore;
console.log(JSON.stringify({
  label: o.label, connections: subscribed, connect_s: +connectSeconds.toFixed(2),
  rss_before_mib: +(rssBefore / 1048576).toFixed(1), rss_after_mib: +(rssAfter / 1048576).toFixed(1),
  bytes_per_connection: Math.round(grew / subscribed), connections_per_mib: +(subscribed / (grew / 1048576)).toFixed(1),
  triggers_sent: sent, triggers_ok: ok, triggers_failed: failed, expected_deliveries: ok * subscribed, delivered: received,
  delivered_per_s: Math.round(received / windowSeconds),
  latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN },
  closed_during_run: closedEarly,
}));
for (const ws of sockets) ws.close();
process.exit(0);
