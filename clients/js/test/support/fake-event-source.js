// A hand-written stand-in for the browser's EventSource (and fetch, for acks), driven from the test as "the server".

export function fakeEventStreams() {
    const sources = [];
    const posts = [];
    class FakeEventSource {
        constructor(url) {
            this.url = new URL(url);
            this.readyState = 0; // CONNECTING
            this.listeners = {};
            this.onerror = null;
            sources.push(this);
        }

        addEventListener(name, fn) {
            (this.listeners[name] ??= []).push(fn);
        }

        close() {
            this.readyState = 2; // CLOSED
        }

        // ---- the server's side ----
        open() {
            this.readyState = 1;
        }

        /** One event of the stream: `event:` name and the frame as data. */
        emit(name, frame) {
            for (const fn of this.listeners[name] ?? []) fn({data: JSON.stringify(frame)});
        }

        welcome(user = 'u1') {
            this.open();
            this.emit('welcome', {type: 'welcome', connection: 's' + sources.indexOf(this), user, heartbeat: 20000, node: 'fake'});
        }

        fail() {
            this.readyState = 0; // an EventSource that lost its stream is reconnecting by itself
            this.onerror?.({});
        }
    }
    const fetch = async (url, init) => {
        posts.push({url, ...init, body: JSON.parse(init.body)});
        return {status: 202};
    };
    return {EventSource: FakeEventSource, fetch, sources, posts};
}
