// A hand-written stand-in for the browser's WebSocket, driven from the test as "the server".
// Each fakeServer() has its own list of sockets, so tests do not share state.

export function fakeServer() {
    const sockets = [];
    class FakeWebSocket {
        constructor(url) {
            this.url = url;
            this.readyState = 0; // CONNECTING
            /** frames the client sent, parsed */
            this.sent = [];
            this.closedByClient = null;
            sockets.push(this);
        }

        send(text) {
            if (this.readyState !== 1) throw new Error('send on a socket that is not open');
            this.sent.push(JSON.parse(text));
        }

        close(code) {
            // the client detaches its handlers before closing, so no close event is needed
            this.closedByClient = code ?? 1005;
            this.readyState = 3;
        }

        // ---- the server's side ----
        accept() {
            this.readyState = 1;
            this.onopen?.({});
        }

        receive(frame) {
            this.onmessage?.({data: typeof frame === 'string' ? frame : JSON.stringify(frame)});
        }

        welcome(user = 'u1', heartbeat = 20000) {
            this.receive({type: 'welcome', connection: 'c' + sockets.indexOf(this), user, heartbeat, node: 'fake'});
        }

        serverClose(code, reason = '') {
            this.readyState = 3;
            this.onclose?.({code, reason});
        }

        framesOfType(type) {
            return this.sent.filter(f => f.type === type);
        }
    }
    return {WebSocket: FakeWebSocket, sockets, get last() { return sockets[sockets.length - 1]; }};
}

/** Waits until `condition()` is truthy (checked every few ms), or fails after `timeoutMs` with `what`. */
export async function until(condition, what, timeoutMs = 2000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = condition();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        await new Promise(resolve => setTimeout(resolve, 5));
    }
}

/** A Storage with the localStorage methods, in memory. */
export class MemoryStorage {
    constructor() {
        this.map = new Map();
    }

    getItem(key) {
        return this.map.has(key) ? this.map.get(key) : null;
    }

    setItem(key, value) {
        this.map.set(key, String(value));
    }

    removeItem(key) {
        this.map.delete(key);
    }
}

/** Ids that sort like ULIDs: 26 characters of Crockford base-32, increasing with n. */
export function ulid(n) {
    return '01M84KB' + String(n).padStart(19, '0');
}
