// Peer for bench/PEERS.md: the seed protocol on Node's `ws`, written as a Node developer would.
//   WebSocket /ws: first text frame {"uid":"123"} binds the connection to the user (latest wins,
//   as in the seed's Go hub); later pushes arrive as raw text bodies.
//   GET /send?uid=&message=  -> 200 if a connection took it, 404 if the user is not connected.
//   GET /broadcast?message=  -> 200 with the number of connections (bench adapter; the seed has none).
// Fire-and-forget like the seed: nothing is stored, nothing is retried.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT || process.argv[2] || 8181);
const users = new Map(); // uid -> WebSocket

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/send') {
    const ws = users.get(url.searchParams.get('uid') || '');
    if (!ws || ws.readyState !== ws.OPEN) { res.writeHead(404); res.end(); return; }
    ws.send(url.searchParams.get('message') || '');
    res.writeHead(200); res.end();
  } else if (url.pathname === '/broadcast') {
    const message = url.searchParams.get('message') || '';
    let n = 0;
    for (const ws of users.values()) if (ws.readyState === ws.OPEN) { ws.send(message); n++; }
    res.writeHead(200); res.end(String(n));
  } else {
    res.writeHead(404); res.end();
  }
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 512 });
wss.on('connection', (ws) => {
  let uid = null;
  ws.on('message', (data, isBinary) => {
    if (isBinary) { ws.close(1003); return; }
    try {
      const m = JSON.parse(data.toString());
      if (m && typeof m.uid === 'string') { uid = m.uid; users.set(uid, ws); }
    } catch (e) { ws.close(1007); }
  });
  ws.on('close', () => { if (uid !== null && users.get(uid) === ws) users.delete(uid); });
  ws.on('error', () => {});
});

server.listen(port, '127.0.0.1', () => console.log(`node-hub listening on 127.0.0.1:${port}`));
