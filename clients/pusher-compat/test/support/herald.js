// A real Herald server with its Pusher endpoint on, as a child process (the packaged jar), and the clients a Node or
// Laravel developer would point at it: pusher-js, laravel-echo on top of it, and the `pusher` server SDK.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import PusherServer from 'pusher';
import PusherClient from 'pusher-js';
// the browser SDK's tests start their servers the same way: one place finds the jar and the JDK and waits for "listening"
import {spawnServe} from '../../../js/test/support/herald-process.js';

export {REPO} from '../../../js/test/support/herald-process.js';
export const APP = {appId: '4242', key: 'herald-compat-key', secret: 'herald-compat-secret-0123'};

export class Herald {
    /** Starts `java -jar herald.jar serve` with pusher.* set; resolves once it listens. `extra`: more flags. */
    static async start({port = 0, extra = [], store = 'memory', nodeId = 'pusher-compat'} = {}) {
        const herald = new Herald(mkdtempSync(join(tmpdir(), 'herald-pusher-')), extra, store, nodeId);
        await herald._spawn(port);
        return herald;
    }

    /** `store`: memory, or a postgresql:// URL for a node of a cluster; `nodeId`: its --node-id. */
    constructor(dataDir, extra, store = 'memory', nodeId = 'pusher-compat') {
        this.dataDir = dataDir;
        this.extra = extra;
        this.store = store;
        this.nodeId = nodeId;
        this.output = [];
    }

    async _spawn(port) {
        const args = ['--port', String(port), '--data-dir', this.dataDir, '--node-id', this.nodeId,
            '--shutdown.grace', '5s', '--store', this.store,
            '--pusher.app-id', APP.appId, '--pusher.key', APP.key, '--pusher.secret', APP.secret, ...this.extra];
        ({child: this.child, exited: this.exited, port: this.port} = await spawnServe(args, this.output));
    }

    get url() {
        return `http://127.0.0.1:${this.port}`;
    }

    /** SIGTERM, then a new process on the same port: what a restart looks like to clients. */
    async restart() {
        this.child.kill('SIGTERM');
        await this.exited;
        this.output.push('---- restart ----');
        await this._spawn(this.port);
    }

    /** SIGKILL: a node that dies, as far as the cluster can tell. */
    async kill() {
        this.child.kill('SIGKILL');
        await this.exited;
    }

    /** Kills the process; prints its warnings and errors, so a failed test shows what the server said. */
    async dispose() {
        const problems = this.output.filter(l => /\b(WARN|ERROR)\b|Exception|^\s+at /.test(l) && !/HeraldServer - $/.test(l)); // not the dev-mode banner
        if (problems.length) console.log(`herald on port ${this.port} logged:\n${problems.join('\n')}`);
        if (this.child?.exitCode === null) {
            this.child.kill('SIGKILL');
            await this.exited;
        }
        rmSync(this.dataDir, {recursive: true, force: true});
    }

    tail(lines = 40) {
        return this.output.slice(-lines).join('\n');
    }

    /** The `pusher` server SDK pointed at this server, as a back-end would configure it for a self-hosted server. */
    server() {
        return new PusherServer({appId: APP.appId, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(this.port), useTLS: false});
    }

    /**
     * A pusher-js client. Channel and user auth are answered by the server SDK's helpers, in-process, as a back-end's
     * /pusher/auth and /pusher/user-auth endpoints would: `user` is the signed-in user, `presence` its channel_data.
     */
    client({user, userInfo = {}} = {}) {
        const sdk = this.server();
        return new PusherClient(APP.key, {
            wsHost: '127.0.0.1', wsPort: this.port, forceTLS: false, enabledTransports: ['ws'], disableStats: true, cluster: 'mt1',
            channelAuthorization: {
                customHandler: ({socketId, channelName}, callback) => callback(null, channelName.startsWith('presence-')
                    ? sdk.authorizeChannel(socketId, channelName, {user_id: user, user_info: userInfo})
                    : sdk.authorizeChannel(socketId, channelName)),
            },
            userAuthentication: {
                customHandler: ({socketId}, callback) => callback(null, sdk.authenticateUser(socketId, {id: user, ...userInfo})),
            },
        });
    }

    /** Herald's own API: publish to a topic or a user (dev mode: no key). */
    async publish(to, data) {
        const res = await fetch(`${this.url}/api/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json'},
            body: JSON.stringify({to, data})});
        if (res.status >= 300) throw new Error(`publish -> ${res.status} ${await res.text()}`);
        return res.json();
    }
}

/** Resolves when pusher-js reports `state`. */
export function connected(client) {
    return new Promise((resolve, reject) => {
        if (client.connection.state === 'connected') return resolve(client.connection.socket_id);
        client.connection.bind('connected', () => resolve(client.connection.socket_id));
        client.connection.bind('failed', () => reject(new Error('pusher-js connection failed')));
    });
}

/** Resolves with the first `event` on `channel` (a pusher-js channel). */
export function next(channel, event) {
    return new Promise(resolve => channel.bind(event, function handler(data, metadata) {
        channel.unbind(event, handler);
        resolve(data);
    }));
}

export function subscribed(channel) {
    return new Promise((resolve, reject) => {
        if (channel.subscribed) return resolve(channel);
        channel.bind('pusher:subscription_succeeded', data => resolve(data));
        channel.bind('pusher:subscription_error', error => reject(new Error(`subscription to ${channel.name} failed: ${JSON.stringify(error)}`)));
    });
}

/** Waits until `condition()` is truthy (checked every few ms), or fails after `timeoutMs` naming `what`. */
export async function until(condition, what, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await condition();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        await new Promise(r => setTimeout(r, 10));
    }
}

/** Fails after `ms` if the promise has not settled (a test never hangs on a missing event). */
export function within(promise, what, ms = 5000) {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms); })])
        .finally(() => clearTimeout(timer));
}
