/**
 * Herald browser SDK: one WebSocket to a Herald server that logs in, resumes each stream (inbox, broadcast
 * log, each topic) after the last position it delivered, acknowledges, de-duplicates, follows topics and
 * reconnects by itself.
 *
 *   import {Client} from '/herald.js';
 *   const herald = new Client({uid: '123'});            // dev mode; {token} or {token: async () => …} with auth
 *   herald.on('message', m => console.log(m.id, m.data));
 *   herald.connect();
 *
 * Protocol: docs/protocol.md. No dependencies; plain modern JavaScript. Loaded with
 * <script type="module"> it also sets window.Herald for classic scripts that run after it.
 * Not thread-safe by nature of JavaScript: every method is meant for the page's main thread.
 * @module herald
 */

/**
 * @typedef {object} BackoffOptions
 * @property {number} [initialMs=1000] first retry waits up to this long
 * @property {number} [maxMs=30000] cap of the exponential growth
 * @property {number} [jitter=1] 1 = full jitter (wait random(0, delay)), 0 = no jitter, in between = that fraction
 * @property {number} [resetAfterMs=60000] a connection that stayed open this long starts the next retries from initialMs
 */

/**
 * @typedef {object} ClientOptions
 * @property {string} [url] WebSocket URL of /ws (ws://, wss://, http:// or https://); default: /ws on this page's origin
 * @property {string | (() => (string | null | Promise<string | null>))} [token] a JWT, or a function asked for one before every (re)connect; null means "logged out": the client closes
 * @property {string | number} [uid] dev mode only: the user id to log in as
 * @property {string[]} [topics] topics to follow; re-subscribed on every reconnect
 * @property {true | false | 'onDisplay'} [autoAck=true] true: ack each message once the 'message' handlers ran; false or 'onDisplay': the app calls message.ack()
 * @property {number} [heartbeatMs] interval of the client's pings; default: the server's heartbeat from welcome (20 s)
 * @property {number} [connectTimeoutMs=10000] time from opening the socket to the welcome frame before giving up on the attempt
 * @property {BackoffOptions} [backoff]
 * @property {Storage | null} [storage] where the resume cursors (last id, positions per stream) are kept per user (getItem/setItem/removeItem); default: localStorage when autoAck is true, none otherwise (see README)
 * @property {number} [dedupWindow=1000] how many recent message ids are remembered to drop duplicates
 * @property {number} [ackDelayMs=100] acks and reads are batched for this long
 * @property {(info: {code: number, reason: string, willRetry: boolean}) => boolean} [shouldReconnect] overrides the decision taken after a close
 * @property {typeof WebSocket} [WebSocket] the WebSocket constructor (tests); default: globalThis.WebSocket
 * @property {'auto' | 'websocket' | 'sse'} [transport='auto'] 'sse': a Server-Sent Events stream (GET /api/v1/events) instead of
 *     the WebSocket; 'auto': the WebSocket, and SSE for the next attempt when a WebSocket could not connect (and back when SSE
 *     could not either)
 * @property {string} [sseUrl] URL of /api/v1/events; default: derived from url (same host, http(s))
 * @property {typeof EventSource} [EventSource] the EventSource constructor (tests); default: globalThis.EventSource
 * @property {typeof fetch} [fetch] for acks over SSE (tests); default: globalThis.fetch
 */

/**
 * @typedef {object} Message
 * @property {string} id the message id, a ULID: ids sort as strings in publish order
 * @property {number} ts when Herald accepted it, ms since the epoch
 * @property {string} [topic] set when it came through a followed topic
 * @property {true} [all] set when it came through the broadcast to everyone
 * @property {number} [pos] its position in the stream it came through (durable messages on servers that send it)
 * @property {string} [epoch] with pos: that stream's epoch
 * @property {*} data the publisher's JSON value
 * @property {() => void} ack acknowledge it (batched)
 * @property {() => void} read mark it read (batched)
 */

/**
 * @typedef {object} StateChange
 * @property {'connecting' | 'open' | 'reconnecting' | 'closed'} state
 * @property {number} [code] the close code that ended the previous connection (1006: network, offline or timeout)
 * @property {string} [reason]
 * @property {boolean} [willRetry] whether the client will connect again by itself
 * @property {number} [delayMs] when reconnecting: the wait before the next attempt
 * @property {number} [attempt] when connecting: 0 for the first attempt after a success
 * @property {string} [user] when open
 * @property {string} [connection] when open
 * @property {string} [node] when open
 * @property {'websocket' | 'sse'} [transport] when connecting and open: the transport of this connection
 */

export const DEFAULT_BACKOFF = Object.freeze({initialMs: 1000, maxMs: 30000, jitter: 1, resetAfterMs: 60000});
export const DEFAULT_HEARTBEAT_MS = 20000;

/** Codes after which reconnecting cannot help until something changes (docs/protocol.md, "reconnect?" = no). */
const NO_RECONNECT = new Set([1002, 1003, 1007, 1009, 4001, 4003, 4004, 4006, 4009]);
const UNAUTHORIZED = 4001;
/** Close code reported when the client itself gave up on a connection (network gone, offline, no answer). */
export const ABNORMAL = 1006;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Ids per ack/read frame, well under the server's 64 KiB frame limit. */
const IDS_PER_FRAME = 500;

/**
 * Whether to reconnect after a close with this code, following the protocol's close-code table:
 * yes for 1000/1001/1006/4002/4008/4010/4029/4500 and anything unknown, no for 1002/1003/1007/1009/4001/4003/4004/4006/4009 —
 * except 4001 when the app supplies tokens through a function (it may hand out a fresh one), once.
 * @param {number} code
 * @param {{tokenFunction?: boolean, previousCode?: number | null}} [context]
 */
export function reconnectAfter(code, {tokenFunction = false, previousCode = null} = {}) {
    if (code === UNAUTHORIZED) {
        return tokenFunction && previousCode !== UNAUTHORIZED; // a second 4001 in a row: the token source is broken
    }
    return !NO_RECONNECT.has(code);
}

/**
 * Capped exponential backoff with jitter: min(maxMs, initialMs · 2^attempt), of which a random share
 * of `jitter` is taken off (full jitter by default, so a restarting node is not hit by everybody at once).
 * @param {number} attempt 0 for the first retry
 * @param {BackoffOptions} [options]
 * @param {() => number} [random] a number in [0, 1)
 */
export function backoffDelay(attempt, options = {}, random = Math.random) {
    const {initialMs, maxMs, jitter} = {...DEFAULT_BACKOFF, ...options};
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
    return Math.round(ceiling * (1 - jitter * random()));
}

/** The later of two message ids (ULIDs compare as strings); null-safe. */
export function laterId(a, b) {
    if (!a) return b ?? null;
    if (!b) return a;
    return b > a ? b : a;
}

/** `<pos>@<epoch>` as the server reads it (StreamPosition.parseCursor); positions stay within exact JavaScript integers. */
const POSITION = /^([1-9][0-9]{0,15})@([A-Za-z0-9]{1,32})$/;

/** The stream key of the user's own inbox, of the broadcast log, and of a topic's log. */
export const INBOX = 'inbox';
export const BROADCAST = 'all';
const TOPIC = 'topic:';
export const topicStream = topic => TOPIC + topic;

/** The stream a message frame came through: its topic, the broadcast log (`"all":true`), or the user's inbox. */
export function streamOf(frame) {
    if (frame.all === true) return BROADCAST;
    return typeof frame.topic === 'string' ? topicStream(frame.topic) : INBOX;
}

/**
 * The cursor of a stream nobody has written to yet, as the server's positions frames give it: before the stream's
 * first message, in whatever epoch it gets (`{pos: 0, epoch: ''}` here).
 */
export const START = '0';

/** `{pos, epoch}` from the cursor form `<pos>@<epoch>` (or {@link START}), or null when `text` is neither. */
export function parsePosition(text) {
    if (text === START) return {pos: 0, epoch: ''};
    const m = typeof text === 'string' ? POSITION.exec(text) : null;
    return m && Number.isSafeInteger(Number(m[1])) ? {pos: Number(m[1]), epoch: m[2]} : null;
}

/** The cursor form `<pos>@<epoch>` (or {@link START}) the server reads back. */
export function formatPosition({pos, epoch}) {
    return pos === 0 ? START : `${pos}@${epoch}`;
}

/** A message frame's `{pos, epoch}`, or null: fire-and-forget messages and older servers carry none. */
export function positionOf(frame) {
    return parsePosition(Number.isSafeInteger(frame.pos) && typeof frame.epoch === 'string' ? `${frame.pos}@${frame.epoch}` : null);
}

/**
 * The last position delivered to the app in each stream (the inbox, the broadcast log, each topic), with the
 * stream's epoch: where that stream resumes, and the floor at or below which a message of the same epoch is a
 * repeat. Positions count 1, 2, 3… per stream; a new epoch means the stream's history was lost or reset.
 */
export class StreamCursors {
    constructor() {
        /** @type {Map<string, {pos: number, epoch: string}>} */
        this.byStream = new Map();
    }

    /** @returns {{pos: number, epoch: string} | undefined} */
    get(stream) {
        return this.byStream.get(stream);
    }

    set(stream, position) {
        this.byStream.set(stream, {pos: position.pos, epoch: position.epoch});
    }

    delete(stream) {
        this.byStream.delete(stream);
    }

    /** Whether `position` of `stream` is at or below the last one delivered, in the same epoch: already delivered. */
    isRepeat(stream, position) {
        const last = this.byStream.get(stream);
        return last !== undefined && last.epoch === position.epoch && position.pos <= last.pos;
    }

    /**
     * The last position of `stream` when `position` is of another epoch (history lost since), else null. A stream
     * at {@link START} had no history to lose: its first epoch is no gap.
     */
    replacedBy(stream, position) {
        const last = this.byStream.get(stream);
        return last !== undefined && last.pos > 0 && last.epoch !== position.epoch ? last : null;
    }

    /** `{inbox?, all?, topics: {name: cursor}}` in cursor form: the `positions` property and what storage keeps. */
    toJSON() {
        const json = {topics: {}};
        for (const [stream, position] of this.byStream) {
            if (stream.startsWith(TOPIC)) json.topics[stream.slice(TOPIC.length)] = formatPosition(position);
            else json[stream] = formatPosition(position);
        }
        return json;
    }

    /** Reads back what toJSON wrote, skipping anything that is not a position. */
    static fromJSON(json) {
        const cursors = new StreamCursors();
        const add = (stream, text) => {
            const position = parsePosition(text);
            if (position) cursors.set(stream, position);
        };
        if (json && typeof json === 'object') {
            add(INBOX, json[INBOX]);
            add(BROADCAST, json[BROADCAST]);
            if (json.topics && typeof json.topics === 'object') {
                for (const [topic, text] of Object.entries(json.topics)) add(topicStream(topic), text);
            }
        }
        return cursors;
    }
}

/**
 * The login's cursors (`since`, `sinceAll` of the auth frame). The inbox resumes by position and the broadcast log by
 * `sinceAll`. A server that sends positions frames gives both after every login (`0` for a stream never written),
 * so from the first connection on both resume by position. Without a broadcast position (an older server, which
 * names the broadcast log's place only on its messages) the login keeps resuming by the last id when it has one:
 * one message id resumes both streams, while a login whose `since` is a position replays no broadcast, so
 * broadcasts published while the page was away would be lost. Servers that send no positions leave only the id.
 * @param {StreamCursors} streams
 * @param {string | null} lastId
 * @returns {{since?: string, sinceAll?: string}}
 */
export function loginCursors(streams, lastId) {
    const inbox = streams.get(INBOX);
    const all = streams.get(BROADCAST);
    const cursors = {};
    if (inbox && (all || !lastId)) cursors.since = formatPosition(inbox);
    else if (lastId) cursors.since = lastId;
    if (all) cursors.sinceAll = formatPosition(all);
    return cursors;
}

/**
 * The last `limit` message ids seen, to drop duplicates (replays around a reconnect may repeat a few).
 * Insertion-ordered; the oldest id is forgotten first.
 */
export class RecentIds {
    /** @param {number} limit */
    constructor(limit) {
        this.limit = Math.max(1, limit);
        /** @type {Set<string>} */
        this.ids = new Set();
    }

    /** Records the id; returns false when it was already there (a duplicate). */
    add(id) {
        if (this.ids.has(id)) return false;
        this.ids.add(id);
        if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value);
        return true;
    }

    clear() {
        this.ids.clear();
    }
}

/** The `sub` of a JWT without verifying it (the server does): used only to key the stored cursor per user. */
export function tokenSubject(token) {
    try {
        const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        const bytes = Uint8Array.from(atob(part + '='.repeat((4 - part.length % 4) % 4)), c => c.charCodeAt(0));
        const sub = JSON.parse(new TextDecoder().decode(bytes)).sub;
        return typeof sub === 'string' ? sub : null;
    } catch {
        return null;
    }
}

/** Longest body of a desktop notice; the rest is cut. */
const NOTICE_BODY_MAX = 300;

/**
 * The title and body of a message's desktop notice: the data's `notification` object (`title`, and `text` or `body`)
 * when it has one, else "Herald" (with the topic) and the data as text. The same rule as `herald listen --desktop`.
 * @param {{data: *, topic?: string}} message
 * @returns {{title: string, body: string}}
 */
export function noticeText(message) {
    const fallback = message.topic !== undefined ? `Herald · ${message.topic}` : 'Herald';
    const n = message.data !== null && typeof message.data === 'object' ? message.data.notification : undefined;
    const text = v => typeof v === 'string' && v.trim() !== '' ? v : null;
    let title = fallback;
    let body;
    if (n !== null && typeof n === 'object' && !Array.isArray(n)) {
        title = text(n.title) ?? fallback;
        body = text(n.text) ?? text(n.body) ?? '';
    } else {
        body = typeof message.data === 'string' ? message.data : JSON.stringify(message.data);
    }
    body = body.trim();
    return {title, body: body.length > NOTICE_BODY_MAX ? body.slice(0, NOTICE_BODY_MAX - 1) + '…' : body};
}

/** ws(s)://…/ws from an explicit URL (http(s) accepted) or from the page's own origin. */
export function webSocketUrl(url) {
    if (!url) {
        const loc = globalThis.location;
        if (!loc) throw new Error('Herald: url is required outside a browser page');
        return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws';
    }
    const u = new URL(url, globalThis.location?.href);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
        u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
        if (u.pathname === '/') u.pathname = '/ws';
    }
    return u.toString();
}

/** http(s)://…/api/v1/events from an explicit URL, or from the WebSocket URL (same host; /ws becomes /api/v1/events). */
export function eventsUrl(sseUrl, wsUrl) {
    if (sseUrl) return new URL(sseUrl, globalThis.location?.href).toString();
    const u = new URL(wsUrl);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    u.pathname = u.pathname.replace(/\/ws\/?$/, '') + '/api/v1/events';
    u.search = '';
    return u.toString();
}

/**
 * The `Last-Event-ID` an SSE stream resumes from (docs/protocol.md, "Event ids and resume"): every stream's cursor as
 * `inbox=…,all=…,topic:<name>=…`, the same cursors a WebSocket login and its subscribes send; or the last message id
 * alone when no inbox position is known (the server then takes it as `since`). Empty: nothing to resume.
 * @param {StreamCursors} streams
 * @param {string | null} lastId
 * @param {Iterable<string>} topics
 */
export function sseEventId(streams, lastId, topics) {
    const {since, sinceAll} = loginCursors(streams, lastId);
    if (since && !parsePosition(since)) return since;
    const parts = [];
    if (since) parts.push(`inbox=${since}`);
    if (sinceAll) parts.push(`all=${sinceAll}`);
    for (const topic of topics) {
        const position = streams.get(topicStream(topic));
        if (position) parts.push(`topic:${topic}=${formatPosition(position)}`);
    }
    return parts.join(',');
}

/** The event names of an SSE stream: one per server frame type ('herald-error' for error frames), and 'close'. */
const SSE_EVENTS = ['message', 'welcome', 'positions', 'gap', 'subscribed', 'unsubscribed', 'pong', 'herald-error'];

/**
 * A Server-Sent Events stream dressed as the WebSocket the Client drives: it opens the stream when the client sends
 * its auth frame (the login, the cursors and the topics all go in the request), hands every event's JSON to
 * onmessage, answers pings itself while the stream is open (the browser's EventSource watches the connection), sends
 * acks and reads as POST /api/v1/users/{uid}/acks, and reopens the stream when the followed topics change (SSE
 * topics are chosen at connect time). The stream's own reconnect is not used: any failure is a close (1006), so the
 * Client's backoff, token refresh and resume by position apply as on a WebSocket. The server's last 'close' event
 * carries the close code.
 */
export class EventStreamSocket {
    /**
     * @param {string} url the /api/v1/events URL
     * @param {{EventSource: typeof EventSource, fetch?: typeof fetch, topics: () => string[], eventId: () => string}} context
     */
    constructor(url, context) {
        this.url = url;
        this.context = context;
        this.readyState = 1; // the Client sends its auth frame on open: that is when the stream is requested
        this.onopen = this.onmessage = this.onclose = this.onerror = null;
        this._source = null;
        this._login = null;
        this._user = null;
        this._topics = [];
        queueMicrotask(() => this.readyState === 1 && this.onopen?.({}));
    }

    send(text) {
        const frame = JSON.parse(text);
        switch (frame.type) {
            case 'auth': {
                const {type, since, sinceAll, ...login} = frame;
                this._login = login;
                return this._connect();
            }
            case 'subscribe':
            case 'unsubscribe': {
                const wanted = this.context.topics();
                const same = wanted.length === this._topics.length && wanted.every(t => this._topics.includes(t));
                return same ? undefined : this._connect(); // the stream names its topics: a new set is a new stream
            }
            case 'ping':
                if (this._source?.readyState === 1) queueMicrotask(() => this._deliver(JSON.stringify({type: 'pong', ref: frame.ref})));
                return undefined;
            case 'ack':
            case 'read':
                return this._acknowledge(frame.type === 'ack' ? 'acked' : 'read', frame.ids ?? [frame.id]);
            default:
                return undefined;
        }
    }

    close() {
        this.readyState = 3;
        this._source?.close();
        this._source = null;
    }

    _connect() {
        this._source?.close();
        this._topics = this.context.topics();
        const u = new URL(this.url);
        if (this._login.token) u.searchParams.set('token', this._login.token);
        else u.searchParams.set('uid', this._login.uid);
        if (this._topics.length > 0) u.searchParams.set('topics', this._topics.join(','));
        const id = this.context.eventId();
        if (id) u.searchParams.set('lastEventId', id);
        const source = this._source = new this.context.EventSource(u.toString());
        for (const name of SSE_EVENTS) source.addEventListener(name, e => source === this._source && this._deliver(e.data));
        source.addEventListener('close', e => {
            if (source !== this._source) return;
            let frame = {};
            try {
                frame = JSON.parse(e.data);
            } catch {
                // a close without a readable reason: treated as the network's
            }
            this._ended(frame.code ?? ABNORMAL, frame.reason ?? '');
        });
        // an EventSource would reconnect by itself; the Client decides instead (backoff, fresh token, cursors)
        source.onerror = () => source === this._source && this._ended(ABNORMAL, 'event stream failed');
    }

    _deliver(data) {
        if (this.readyState !== 1) return;
        if (this._user === null && data.includes('"welcome"')) {
            try {
                this._user = JSON.parse(data).user ?? null;
            } catch {
                // not JSON: the Client reports it
            }
        }
        this.onmessage?.({data});
    }

    _ended(code, reason) {
        this.close();
        this.onclose?.({code, reason});
    }

    _acknowledge(status, ids) {
        const fetchFn = this.context.fetch ?? globalThis.fetch;
        if (this._user === null || !fetchFn) return;
        const u = new URL(this.url);
        u.pathname = u.pathname.replace(/\/events\/?$/, '') + `/users/${encodeURIComponent(this._user)}/acks`;
        u.search = '';
        const headers = {'Content-Type': 'application/json'};
        if (this._login?.token) headers.Authorization = `Bearer ${this._login.token}`;
        // at least once: an ack that does not arrive is sent again with the message's next delivery (autoAck)
        fetchFn(u.toString(), {method: 'POST', headers, body: JSON.stringify({ids, status})}).catch(() => {});
    }
}

function defaultStorage() {
    try {
        return globalThis.localStorage ?? null; // throws in some privacy modes
    } catch {
        return null;
    }
}

const now = () => globalThis.performance?.now() ?? Date.now();

/**
 * A Herald connection with reconnects. Events: 'message' ({@link Message}), 'gap' ({since, topic}: history
 * was trimmed, reload your state), 'state' ({@link StateChange}), 'error' ({code, message, ...}).
 */
export class Client {
    /** @param {ClientOptions} options */
    constructor(options = {}) {
        if (options.token == null && options.uid == null) throw new TypeError('Herald: token or uid is required');
        if (![true, false, 'onDisplay'].includes(options.autoAck ?? true)) throw new TypeError("Herald: autoAck is true, false or 'onDisplay'");
        this._options = options;
        this._url = webSocketUrl(options.url);
        this._autoAck = (options.autoAck ?? true) === true;
        this._backoff = {...DEFAULT_BACKOFF, ...options.backoff};
        this._storage = options.storage !== undefined ? options.storage : (this._autoAck ? defaultStorage() : null);
        this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
        if (!['auto', 'websocket', 'sse'].includes(options.transport ?? 'auto')) throw new TypeError("Herald: transport is 'auto', 'websocket' or 'sse'");
        this._transportMode = options.transport ?? 'auto';
        this._EventSource = options.EventSource ?? globalThis.EventSource;
        this._sseUrl = eventsUrl(options.sseUrl, this._url);
        /** whether the next attempt opens an SSE stream rather than a WebSocket */
        this._useSse = this._transportMode === 'sse';
        /** @type {Record<string, Set<Function>>} */
        this._listeners = {message: new Set(), gap: new Set(), state: new Set(), error: new Set()};
        this._topics = new Set(options.topics ?? []);
        this._recent = new RecentIds(options.dedupWindow ?? 1000);
        this._acks = new Set();
        this._reads = new Set();
        this._pendingSubscribes = new Map(); // ref -> topics, to forget topics the server refused
        this._refs = 0;
        this._state = 'closed';
        this._active = false;
        this._generation = 0; // bumped by every attempt and by close(): stale callbacks compare and bail out
        this._attempt = 0;
        this._previousCode = null;
        this._cursorUser = options.uid != null ? String(options.uid) : typeof options.token === 'string' ? tokenSubject(options.token) : null;
        this._cursor = this._loadCursor();
        this._streams = this._loadPositions();
        /** @type {null | {icon?: string, format?: Function}} desktop notices, once enabled (and permitted) */
        this._desktop = null;
        /** the cursors the current connection logged in with, to tell which stream a gap frame is about */
        this._loggedInWith = {};
        this._windowEvents = {
            online: () => this._online(),
            // the browser keeps a socket that lost its network half-alive for a long time: give it up now
            offline: () => this._active && this._ws && this._lost(ABNORMAL, 'offline'),
            pagehide: () => this._flush(), // the page is going away: send the acks still batched
        };
    }

    /** @returns {'connecting' | 'open' | 'reconnecting' | 'closed'} */
    get state() {
        return this._state;
    }

    /** The largest message id seen: streams without a position (older servers) resume after it. */
    get cursor() {
        return this._cursor;
    }

    /**
     * The last position delivered per stream, as `<pos>@<epoch>`: `{inbox?, all?, topics: {name: position}}`.
     * Reconnects resume each stream from here.
     */
    get positions() {
        return this._streams.toJSON();
    }

    /** The user: the uid, the token's sub, or what the last welcome frame said. */
    get user() {
        return this._cursorUser;
    }

    /** @returns {string[]} */
    get topics() {
        return [...this._topics];
    }

    /**
     * @param {'message' | 'gap' | 'state' | 'error'} event
     * @param {Function} fn
     * @returns {() => void} removes the listener
     */
    on(event, fn) {
        this._listenersOf(event).add(fn);
        return () => this.off(event, fn);
    }

    off(event, fn) {
        this._listenersOf(event).delete(fn);
    }

    /** Starts connecting (and keeps reconnecting). Does nothing when already started. */
    connect() {
        if (this._active) return;
        this._active = true;
        this._attempt = 0;
        this._previousCode = null;
        for (const [name, fn] of Object.entries(this._windowEvents)) globalThis.addEventListener?.(name, fn);
        this._open();
    }

    /** Closes the connection for good (code 1000) after sending batched acks; connect() starts again. */
    close() {
        if (!this._active && !this._ws) return;
        this._flush();
        this._stop(1000, 'closed by the client');
    }

    /**
     * Follows topics now and after every reconnect. Refused topics (error frame) are forgotten and
     * reported as an 'error' event — except when only the cursor was refused (invalid_cursor): then they are
     * followed without it.
     * @param {string | string[]} topics
     * @param {{since?: string}} [options] replay the topics' messages after this id, or (one topic) after this `<pos>@<epoch>`
     */
    subscribe(topics, {since} = {}) {
        const list = [].concat(topics);
        const position = list.length === 1 ? parsePosition(since) : null;
        for (const topic of list) {
            // a position given here is where this topic now resumes; a topic newly followed otherwise starts afresh
            if (position) this._streams.set(topicStream(topic), position);
            else if (!this._topics.has(topic)) this._streams.delete(topicStream(topic));
            this._topics.add(topic);
        }
        this._storeCursor();
        if (this._state === 'open') this._sendSubscribe(list, since);
    }

    /** @param {string | string[]} topics */
    unsubscribe(topics) {
        const list = [].concat(topics);
        for (const topic of list) {
            this._topics.delete(topic);
            this._streams.delete(topicStream(topic)); // following it again later starts afresh, not with a replay of the meantime
        }
        this._storeCursor();
        if (this._state === 'open') this._send({type: 'unsubscribe', topics: list});
    }

    /** Acknowledges message ids (batched; kept across reconnects until sent). @param {string | string[]} ids */
    ack(ids) {
        [].concat(ids).forEach(id => this._acks.add(id));
        this._scheduleFlush();
    }

    /** Marks message ids read (batched like acks). @param {string | string[]} ids */
    read(ids) {
        [].concat(ids).forEach(id => this._reads.add(id));
        this._scheduleFlush();
    }

    /**
     * Opts in to desktop notices through the browser's Notification API: while the page is hidden, each new message
     * also pops a system notification (clicking it focuses the page). Call it from a user gesture (a click handler):
     * browsers only show the permission prompt then. Resolves to the permission: 'granted' (notices are on),
     * 'denied' or 'default' (they stay off), or 'unsupported'.
     * @param {{icon?: string, format?: (message: Message) => ({title: string, body?: string} | null)}} [options]
     *   icon: an image URL; format: the notice for a message (null: none), default {@link noticeText}
     * @returns {Promise<'granted' | 'denied' | 'default' | 'unsupported'>}
     */
    async enableDesktopNotices(options = {}) {
        const N = globalThis.Notification;
        if (typeof N !== 'function') return 'unsupported';
        const permission = N.permission === 'granted' ? 'granted' : await N.requestPermission();
        this._desktop = permission === 'granted' ? {...options} : null;
        return permission;
    }

    /** Stops desktop notices (the permission stays as the user gave it). */
    disableDesktopNotices() {
        this._desktop = null;
    }

    /** Whether desktop notices are on. */
    get desktopNotices() {
        return this._desktop !== null;
    }

    // ---- connection lifecycle ----

    async _open() {
        const generation = ++this._generation;
        this._setState('connecting', {attempt: this._attempt, transport: this._useSse ? 'sse' : 'websocket'});
        let login;
        try {
            login = await this._login();
        } catch (e) {
            if (generation !== this._generation) return;
            this._emit('error', {code: 'token_failed', message: String(e?.message ?? e), cause: e});
            this._retryOrStop(ABNORMAL, 'token function failed', true);
            return;
        }
        if (generation !== this._generation) return; // close() or another attempt happened meanwhile
        if (login === null) {
            this._stop(UNAUTHORIZED, 'no token');
            return;
        }
        let ws;
        try {
            ws = this._useSse
                ? new EventStreamSocket(this._sseUrl, {EventSource: this._EventSource, fetch: this._options.fetch,
                    topics: () => [...this._topics], eventId: () => sseEventId(this._streams, this._cursor, this._topics)})
                : new this._WebSocket(this._url);
        } catch (e) { // a malformed URL or a blocked scheme: retrying cannot help
            this._emit('error', {code: 'invalid_url', message: String(e?.message ?? e), cause: e});
            this._stop(ABNORMAL, 'cannot open ' + this._url);
            return;
        }
        this._ws = ws;
        this._lastFrameAt = now();
        this._connectTimer = setTimeout(() => this._lost(ABNORMAL, 'connect timeout'), this._options.connectTimeoutMs ?? 10000);
        // log in with the first frame rather than ?token= in the URL: URLs end up in proxy logs
        ws.onopen = () => {
            if (ws !== this._ws) return;
            this._loggedInWith = loginCursors(this._streams, this._cursor);
            this._send({type: 'auth', ...login, ...this._loggedInWith});
        };
        ws.onmessage = e => ws === this._ws && this._frame(e.data);
        ws.onclose = e => ws === this._ws && this._lost(e.code, e.reason);
        ws.onerror = () => {}; // a close event always follows, with the code
    }

    /** The login fields for the auth frame; null when the token function says there is no user. */
    async _login() {
        const {token, uid} = this._options;
        if (uid != null && token == null) return {uid: String(uid)};
        const t = typeof token === 'function' ? await token() : token;
        if (t == null || t === '') return null;
        this._switchUser(tokenSubject(t));
        return {token: t};
    }

    /** Another user may log in through a token function: each user has its own cursor. */
    _switchUser(user) {
        if (user === null || user === this._cursorUser) return;
        this._cursorUser = user;
        this._cursor = this._loadCursor();
        this._streams = this._loadPositions();
        this._recent.clear();
    }

    _welcome(f) {
        clearTimeout(this._connectTimer);
        this._openedAt = now();
        this._previousCode = null;
        if (f.user) this._switchUser(f.user); // an opaque token: the user is learnt here
        const heartbeat = this._options.heartbeatMs ?? f.heartbeat ?? DEFAULT_HEARTBEAT_MS;
        this._lastPingAt = null;
        clearInterval(this._heartbeat);
        this._heartbeat = setInterval(() => this._tick(), heartbeat);
        this._setState('open', {user: f.user, connection: f.connection, node: f.node, transport: this._useSse ? 'sse' : 'websocket'});
        this._resubscribe();
        this._flush();
    }

    /**
     * Follows the topics again on a new connection: each topic with a position resumes from it (one subscribe per
     * topic, as a position names one topic's place); the others together after the last id, as before positions.
     */
    _resubscribe() {
        const byId = [];
        for (const topic of this._topics) {
            const position = this._streams.get(topicStream(topic));
            if (position) this._sendSubscribe([topic], formatPosition(position));
            else byId.push(topic);
        }
        if (byId.length > 0) this._sendSubscribe(byId, this._cursor);
    }

    /**
     * A dead connection (server gone without a close, network black hole) is seen by JavaScript only as
     * silence: every heartbeat the client pings, and a ping still unanswered at the next tick means dead.
     * Comparing with our own last ping (not wall time) keeps throttled timers in background tabs from
     * looking like silence.
     */
    _tick() {
        if (this._lastPingAt !== null && this._lastFrameAt < this._lastPingAt) {
            this._lost(ABNORMAL, 'no answer from the server within a heartbeat');
            return;
        }
        this._lastPingAt = now();
        this._send({type: 'ping'});
    }

    /** The connection ended (close event, offline, timeout): clean up, then retry or stop. */
    _lost(code, reason) {
        const welcomed = this._openedAt != null;
        const wasOpenFor = welcomed ? now() - this._openedAt : 0;
        this._dropSocket();
        if (!welcomed && code === ABNORMAL && this._transportMode === 'auto' && this._EventSource) {
            this._useSse = !this._useSse; // this transport could not connect (a proxy that breaks upgrades?): try the other
        }
        if (!this._active) return;
        if (wasOpenFor >= this._backoff.resetAfterMs) this._attempt = 0; // it was stable: start over
        this._retryOrStop(code, reason, reconnectAfter(code, {
            tokenFunction: typeof this._options.token === 'function', previousCode: this._previousCode}));
    }

    _retryOrStop(code, reason, byDefault) {
        const decide = this._options.shouldReconnect;
        const retry = decide ? Boolean(decide({code, reason, willRetry: byDefault})) : byDefault;
        this._previousCode = code;
        if (!retry) {
            this._stop(code, reason);
            return;
        }
        const delayMs = backoffDelay(this._attempt++, this._backoff);
        this._setState('reconnecting', {code, reason, willRetry: true, delayMs});
        this._retryTimer = setTimeout(() => this._open(), delayMs);
    }

    /** Back online: do not wait out the backoff. */
    _online() {
        if (!this._active || this._retryTimer == null) return;
        clearTimeout(this._retryTimer);
        this._retryTimer = null;
        this._attempt = 0;
        this._open();
    }

    _stop(code, reason) {
        this._active = false;
        this._generation++;
        this._dropSocket();
        for (const [name, fn] of Object.entries(this._windowEvents)) globalThis.removeEventListener?.(name, fn);
        this._setState('closed', {code, reason, willRetry: false});
    }

    /** Detaches and closes the current socket and its timers; its late events are ignored. */
    _dropSocket() {
        clearTimeout(this._connectTimer);
        clearTimeout(this._retryTimer);
        clearInterval(this._heartbeat);
        this._retryTimer = this._heartbeat = null;
        this._openedAt = null;
        this._pendingSubscribes.clear();
        const ws = this._ws;
        this._ws = null;
        if (ws && ws.readyState <= 1) {
            try {
                ws.close(1000);
            } catch {
                // already closing
            }
        }
    }

    // ---- frames ----

    _frame(text) {
        this._lastFrameAt = now();
        let f;
        try {
            f = JSON.parse(text);
        } catch {
            this._emit('error', {code: 'invalid_json', message: 'the server sent a frame that is not JSON'});
            return;
        }
        switch (f?.type) {
            case 'welcome': return this._welcome(f);
            case 'message': return this._message(f);
            case 'gap': return this._serverGap(f);
            case 'subscribed': return this._pendingSubscribes.delete(f.ref);
            case 'positions': return this._serverPositions(f);
            case 'error': return this._serverError(f);
            default: return undefined; // pong, unsubscribed, and types a newer server may add
        }
    }

    _message(f) {
        if (typeof f.id !== 'string') return;
        const stream = streamOf(f);
        const position = positionOf(f);
        if (position) {
            if (this._streams.isRepeat(stream, position)) return this._repeat(f.id);
            const lost = this._streams.replacedBy(stream, position);
            if (lost) this._emitGap(stream, formatPosition(lost)); // a new epoch: the stream's history was lost or reset
            // delivered now or (a repeated id) before, through another stream: this stream resumes after it either way
            this._streams.set(stream, position);
        }
        if (!this._recent.add(f.id)) {
            if (position) this._storeCursor();
            return this._repeat(f.id);
        }
        this._cursor = laterId(this._cursor, f.id);
        this._storeCursor();
        const id = f.id;
        /** @type {Message} */
        const message = {id, ts: f.ts, data: f.data, ack: () => this.ack(id), read: () => this.read(id)};
        if (f.topic !== undefined) message.topic = f.topic;
        if (f.all === true) message.all = true;
        if (position) Object.assign(message, position);
        this._emit('message', message);
        this._desktopNotice(message);
        if (this._autoAck) this.ack(id);
    }

    /**
     * A desktop notice for a new message, only while the page is hidden (a visible page shows the message itself);
     * clicking it brings the page to the front. One notice per message id (its tag), so a repeat does not pop twice.
     */
    _desktopNotice(message) {
        const N = globalThis.Notification;
        if (!this._desktop || typeof N !== 'function' || N.permission !== 'granted') return;
        if (globalThis.document?.visibilityState !== 'hidden') return;
        let notice;
        try {
            notice = (this._desktop.format ?? noticeText)(message);
        } catch (e) {
            (globalThis.reportError ?? console.error)(e);
            return;
        }
        if (!notice) return;
        const shown = new N(notice.title, {body: notice.body ?? '', tag: message.id, ...(this._desktop.icon ? {icon: this._desktop.icon} : {})});
        shown.onclick = () => {
            globalThis.focus?.();
            shown.close();
        };
    }

    /** A message the app already had: not emitted again, but acked again with autoAck (our ack may be what got lost). */
    _repeat(id) {
        if (this._autoAck) this.ack(id);
    }

    /**
     * A positions frame, after a replay: where the connection now stands in each stream it read (the login's inbox
     * and broadcast log, or a subscribe's topics). Every message at or below came before it, every later one comes
     * after, so these are exact resume points, even for a stream no message was seen of.
     */
    _serverPositions(f) {
        const take = (stream, text) => {
            const position = parsePosition(text);
            if (position) this._streams.set(stream, position);
        };
        take(INBOX, f.inbox);
        take(BROADCAST, f.all);
        if (f.topics && typeof f.topics === 'object') {
            for (const [topic, text] of Object.entries(f.topics)) {
                if (this._topics.has(topic)) take(topicStream(topic), text); // not one unsubscribed meanwhile
            }
        }
        this._storeCursor();
    }

    /**
     * A gap frame: messages after `since` were lost (trimmed, or the stream's epoch changed). It names a topic, the
     * broadcast log (`all`), or else the login cursor it answers: `sinceAll` for the broadcast log, `since` for the
     * inbox (a message id resumed the broadcast log too, so from an older server it may be either). With
     * `position` (where the stream now continues, in its current epoch) the stream resumes from there; without it,
     * the streams' positions are forgotten: the messages that follow start them again, in the new epoch if there
     * is one, without a second gap.
     */
    _serverGap(f) {
        let streams;
        if (typeof f.topic === 'string') streams = [topicStream(f.topic)];
        else if (f.all === true) streams = [BROADCAST];
        else if (f.since !== undefined && f.since === this._loggedInWith.sinceAll) streams = [BROADCAST];
        else if (f.position !== undefined || parsePosition(f.since) || this._loggedInWith.sinceAll) streams = [INBOX];
        else streams = [INBOX, BROADCAST];
        const position = streams.length === 1 ? parsePosition(f.position) : null;
        if (position) this._streams.set(streams[0], position);
        else streams.forEach(s => this._streams.delete(s));
        this._storeCursor();
        this._emitGap(streams.length === 1 ? streams[0] : INBOX, f.since);
    }

    /** The 'gap' event: {since, topic} for a topic, {since, all: true} for the broadcast log, {since} for the inbox. */
    _emitGap(stream, since) {
        const gap = {since};
        if (stream === BROADCAST) gap.all = true;
        else if (stream.startsWith(TOPIC)) gap.topic = stream.slice(TOPIC.length);
        this._emit('gap', gap);
    }

    _serverError(f) {
        const refused = this._pendingSubscribes.get(f.ref);
        if (refused) this._pendingSubscribes.delete(f.ref);
        if (f.code === 'invalid_cursor' && refused) {
            // the topics are fine, their cursor is not: follow them from now on
            refused.forEach(t => this._streams.delete(topicStream(t)));
            this._storeCursor();
            this._sendSubscribe(refused);
        } else if (f.code === 'invalid_cursor') { // the login's: it went on without it
            this._cursor = null;
            this._streams.delete(INBOX);
            this._streams.delete(BROADCAST);
            this._storeCursor();
        } else if (refused) {
            refused.forEach(t => this._topics.delete(t)); // or every reconnect would be refused again
        }
        this._emit('error', {code: f.code, message: f.message, ref: f.ref, ...(refused ? {topics: refused} : {})});
    }

    _sendSubscribe(topics, since) {
        const ref = 's' + ++this._refs;
        this._pendingSubscribes.set(ref, topics);
        this._send({type: 'subscribe', topics, ref, ...(since ? {since} : {})});
    }

    _scheduleFlush() {
        if (this._flushTimer == null) {
            this._flushTimer = setTimeout(() => this._flush(), this._options.ackDelayMs ?? 100);
        }
    }

    /** Sends batched acks and reads when a connection is open; otherwise they wait for the next one. */
    _flush() {
        clearTimeout(this._flushTimer);
        this._flushTimer = null;
        if (this._state !== 'open' || this._ws?.readyState !== 1) return; // closing: keep them for the next connection
        for (const [type, set] of [['ack', this._acks], ['read', this._reads]]) {
            const ids = [...set];
            set.clear();
            for (let i = 0; i < ids.length; i += IDS_PER_FRAME) {
                const chunk = ids.slice(i, i + IDS_PER_FRAME);
                this._send(chunk.length === 1 ? {type, id: chunk[0]} : {type, ids: chunk});
            }
        }
    }

    _send(frame) {
        if (this._ws?.readyState === 1) this._ws.send(JSON.stringify(frame));
    }

    // ---- cursor storage ----

    _storageKey(what = 'cursor') {
        return this._cursorUser == null ? null : `herald:${what}:${this._url}:${this._cursorUser}`;
    }

    _loadCursor() {
        const key = this._storageKey();
        if (!this._storage || key === null) return null;
        try {
            const id = this._storage.getItem(key);
            return id && ULID.test(id) ? id : null; // ignore anything that is not an id we wrote
        } catch {
            return null;
        }
    }

    /** The positions per stream, kept next to the id (its own key, so older SDKs still read the id). */
    _loadPositions() {
        const key = this._storageKey('positions');
        if (!this._storage || key === null) return new StreamCursors();
        try {
            return StreamCursors.fromJSON(JSON.parse(this._storage.getItem(key) ?? 'null'));
        } catch {
            return new StreamCursors();
        }
    }

    _storeCursor() {
        const key = this._storageKey();
        if (!this._storage || key === null) return;
        try {
            if (this._cursor) this._storage.setItem(key, this._cursor);
            else this._storage.removeItem(key);
            const positionsKey = this._storageKey('positions');
            if (this._streams.byStream.size > 0) this._storage.setItem(positionsKey, JSON.stringify(this._streams));
            else this._storage.removeItem(positionsKey);
        } catch {
            // full or forbidden storage: resuming within this page still works
        }
    }

    // ---- events ----

    _setState(state, details = {}) {
        this._state = state;
        this._emit('state', {state, ...details});
    }

    _listenersOf(event) {
        const set = this._listeners[event];
        if (!set) throw new TypeError(`Herald: unknown event '${event}' (message, gap, state, error)`);
        return set;
    }

    _emit(event, value) {
        const set = this._listeners[event];
        if (event === 'error' && set.size === 0) console.warn('Herald:', value.code, value.message);
        for (const fn of [...set]) {
            try {
                fn(value);
            } catch (e) {
                // an app handler's bug must not break the connection; show it like an uncaught error
                (globalThis.reportError ?? console.error)(e);
            }
        }
    }
}

if (globalThis.window && !globalThis.Herald) {
    globalThis.Herald = {Client};
}
