// A real Herald server as a child process (the packaged jar), for end-to-end tests. spawnServe is also what
// clients/pusher-compat's tests start their servers with (they import this file by its path in the repository).
import {spawn, execFileSync} from 'node:child_process';
import {createHmac} from 'node:crypto';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {request} from 'node:http';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const JWT_SECRET = 'e2e-secret-that-is-at-least-32-bytes-long!';
export const API_KEY = 'e2e-api-key-0123456789';
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

/** The jar under test: $HERALD_JAR (set by BrowserSdkIT), else the one `./mvnw package` builds. */
function jar() {
    const path = process.env.HERALD_JAR ?? join(REPO, 'herald-server/target/herald.jar');
    if (!existsSync(path)) {
        throw new Error(`Herald jar not found at ${path}: build it with ./mvnw -q -DskipTests package -pl herald-server -am, or set HERALD_JAR`);
    }
    return path;
}

let javaCache;
/** $JAVA, else the JDK that .mvn/find-jdk.sh picks for ./herald and ./mvnw. */
function java() {
    if (process.env.JAVA) return process.env.JAVA;
    javaCache ??= execFileSync('bash', ['-c', '. .mvn/find-jdk.sh && printf %s "$JAVA_HOME/bin/java"'], {cwd: REPO, encoding: 'utf8'});
    return javaCache;
}

/** An HS256 client token for `sub` that the server started with {auth: true} accepts. */
export function mintToken(sub, ttlSeconds = 3600) {
    const part = obj => Buffer.from(JSON.stringify(obj)).toString('base64url');
    const unsigned = `${part({alg: 'HS256', typ: 'JWT'})}.${part({sub, exp: Math.floor(Date.now() / 1000) + ttlSeconds, topics: ['*']})}`;
    return `${unsigned}.${createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}

/**
 * Starts `java -jar <the jar> serve ...args` and resolves once it listens, with `{child, exited, port}` (`exited`
 * resolves with the exit code). Every line the process writes, stdout and stderr, is appended to `output`; only
 * lines written after this call count as its "listening" line, so a restart may keep appending to the same array.
 * Fails with the last lines when the process exits first or has not listened within 30 s.
 */
export async function spawnServe(args, output) {
    const child = spawn(java(), ['-jar', jar(), 'serve', ...args], {stdio: ['ignore', 'pipe', 'pipe']});
    const exited = new Promise(done => child.once('exit', code => done(code)));
    const firstLine = output.length;
    const listening = () => output.slice(firstLine).find(l => LISTENING.test(l));
    let pending = '';
    const onData = chunk => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop();
        output.push(...lines);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const tail = () => output.slice(-40).join('\n');
    const deadline = Date.now() + 30000;
    while (!listening()) {
        if (child.exitCode !== null) throw new Error(`herald exited with ${child.exitCode} before listening:\n${tail()}`);
        if (Date.now() > deadline) {
            child.kill('SIGKILL'); // the caller never gets a handle on it: no process outlives the failed start
            throw new Error(`herald did not listen within 30 s:\n${tail()}`);
        }
        await new Promise(r => setTimeout(r, 20));
    }
    return {child, exited, port: Number(listening().match(LISTENING)[1])};
}

export class HeraldProcess {
    /**
     * Starts `java -jar herald.jar serve` and resolves once it listens.
     * @param {{auth?: boolean, port?: number, dataDir?: string, store?: string, args?: string[]}} options the same port and
     *     dataDir make a restart; `store: 'memory'` loses every stream at a restart (new epochs); `args`: more flags
     */
    static async start({auth = false, port = 0, dataDir, store, args = []} = {}) {
        const server = new HeraldProcess(auth, dataDir ?? mkdtempSync(join(tmpdir(), 'herald-e2e-')), dataDir === undefined);
        server.store = store;
        server.extraArgs = args;
        await server._spawn(port);
        return server;
    }

    constructor(auth, dataDir, ownsDataDir) {
        this.auth = auth;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.output = [];
    }

    get url() {
        return `http://127.0.0.1:${this.port}`;
    }

    async _spawn(port) {
        const args = ['--port', String(port), '--data-dir', this.dataDir, '--node-id', 'e2e', '--shutdown.grace', '5s'];
        if (this.auth) args.push('--auth.jwt-secret', JWT_SECRET, '--auth.api-keys', API_KEY);
        if (this.store) args.push('--store', this.store);
        args.push(...(this.extraArgs ?? []));
        ({child: this.child, exited: this.exited, port: this.port} = await spawnServe(args, this.output));
    }

    /** SIGTERM (connections get 1001), then waits for the exit code. */
    async stop() {
        if (this.child.exitCode !== null) return this.child.exitCode;
        this.child.kill('SIGTERM');
        let timer;
        const code = await Promise.race([this.exited, new Promise(r => { timer = setTimeout(() => r('timeout'), 20000); })]);
        clearTimeout(timer);
        if (code === 'timeout') {
            this.child.kill('SIGKILL');
            throw new Error(`herald did not exit within 20 s of SIGTERM:\n${this.tail()}`);
        }
        return code;
    }

    /** A new process on the same port and data dir: what a restart looks like to clients. */
    async restart() {
        await this.stop();
        this.output.push('---- restart ----');
        await this._spawn(this.port);
    }

    /** Freezes / thaws the process (SIGSTOP / SIGCONT): a server that is there but silent. */
    pause() {
        this.child.kill('SIGSTOP');
    }

    resume() {
        this.child.kill('SIGCONT');
    }

    /** For t.after(): never leaves a process or a temp dir behind. */
    async dispose() {
        if (this.child?.exitCode === null) {
            this.child.kill('SIGCONT');
            this.child.kill('SIGKILL');
            await this.exited;
        }
        if (this.ownsDataDir) rmSync(this.dataDir, {recursive: true, force: true});
    }

    tail(lines = 40) {
        return this.output.slice(-lines).join('\n');
    }

    /** One HTTP call on a fresh connection (a pooled keep-alive socket would be dead after a restart). */
    api(method, path, body) {
        const headers = {};
        if (this.auth) headers.authorization = `Bearer ${API_KEY}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        return new Promise((resolve, reject) => {
            const req = request(this.url + path, {method, headers, agent: false, timeout: 10000}, res => {
                let text = '';
                res.setEncoding('utf8').on('data', c => { text += c; }).on('end', () => {
                    if (res.statusCode >= 300) reject(new Error(`${method} ${path} -> ${res.statusCode} ${text}`));
                    else resolve(JSON.parse(text));
                });
            });
            req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
            req.on('error', reject);
            req.end(body === undefined ? undefined : JSON.stringify(body));
        });
    }

    /** POST /api/v1/messages to one user; returns the message id. */
    async publish(user, data) {
        return (await this.api('POST', '/api/v1/messages', {to: {users: [user]}, data})).id;
    }

    async publishToTopic(topic, data) {
        return (await this.api('POST', '/api/v1/messages', {to: {topics: [topic]}, data})).id;
    }

    /** To everyone (the broadcast log). */
    async publishToAll(data) {
        return (await this.api('POST', '/api/v1/messages', {to: {all: true}, data})).id;
    }

    /** GET /api/v1/users/{uid}: {online, connections: [{topics, ...}]}. */
    presence(user) {
        return this.api('GET', `/api/v1/users/${encodeURIComponent(user)}`);
    }

    /** DELETE /api/v1/users/{uid}/connections: the server closes them with 4004. */
    kick(user) {
        return this.api('DELETE', `/api/v1/users/${encodeURIComponent(user)}/connections`);
    }
}
