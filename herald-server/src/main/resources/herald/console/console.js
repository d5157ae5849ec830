// Herald's operator console: plain ES module, no build step, no dependencies. Every page reads the HTTP API
// (docs/api.md) with the API key the operator typed in (kept in this tab's sessionStorage only; in dev mode none
// is needed). The DOM is built from text nodes only, so no value from the server is ever parsed as HTML.
const DEV = document.documentElement.dataset.mode === 'dev';
const KEY = 'herald.console.key';
const PAGE = 50;
const main = document.getElementById('main');

/** An element with attributes (on* as listeners) and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
        else if (value !== false && value != null) el.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) if (child != null) el.append(child instanceof Node ? child : String(child));
    return el;
}

/** Replaces the page's content; null entries (parts a page leaves out) are skipped. */
function show(...nodes) {
    main.replaceChildren(...nodes.filter(n => n != null));
}

/** Thrown after a refused key brought the login form back: the page that asked shows nothing more. */
class LoggedOut extends Error {}

class ApiError extends Error {
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}

async function api(method, path, body) {
    const headers = {};
    const key = sessionStorage.getItem(KEY);
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
        // only when the refused key is still the current one: a late answer to an old key must not log out a new one
        if (response.status === 401 && sessionStorage.getItem(KEY) === key) {
            clearInterval(overviewTimer);
            sessionStorage.removeItem(KEY);
            login('The API key was refused.');
            throw new LoggedOut();
        }
        throw new ApiError(response.status, json?.error?.code, json?.error?.message ?? response.statusText);
    }
    return json;
}

function failure(e) {
    if (e instanceof LoggedOut) throw e;
    return h('p', {class: 'error', role: 'alert'}, e instanceof ApiError ? `${e.code ?? e.status}: ${e.message}` : String(e));
}

// ---- login ----

function login(message) {
    document.getElementById('logout').hidden = true;
    const input = h('input', {type: 'password', name: 'key', autocomplete: 'off', required: true});
    show(h('h1', {}, 'Log in'),
        message ? h('p', {class: 'error', role: 'alert'}, message) : null,
        h('form', {onsubmit: e => {
            e.preventDefault();
            sessionStorage.setItem(KEY, input.value.trim());
            route();
        }}, h('label', {}, 'API key (one of auth.api-keys)', input), h('button', {type: 'submit'}, 'Log in')));
    input.focus();
}

function loggedIn() {
    return DEV || sessionStorage.getItem(KEY);
}

// ---- overview ----

let overviewTimer = null;
/** Samples kept per chart: 2 minutes at one every 2 s. */
const SAMPLES = 60;

// The charts are sparklines: one SVG polyline each, drawn here in a dozen lines. A charting library (uPlot, the
// smallest worth having, is ~50 KB) would add a pinned file to serve and to update, for axes and tooltips that a card
// this size has no room for; the numbers next to each line say what it measures.
function sparkline(values, label) {
    const max = Math.max(1, ...values);
    const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * 100},${30 - (v / max) * 28}`).join(' ');
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 100 32');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${label}: last ${values.length} samples, highest ${Math.round(max * 100) / 100}`);
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points);
    svg.append(line);
    return svg;
}

function pushSample(list, value) {
    list.push(value);
    if (list.length > SAMPLES) list.shift();
}

function overview() {
    const history = {in: [], out: [], connections: [], latency: []};
    let previous = null;
    const render = async () => {
        let stats, health;
        try {
            [stats, health] = await Promise.all([api('GET', '/api/v1/stats'), api('GET', '/api/v1/admin/health')]);
        } catch (e) {
            if (e instanceof LoggedOut) return;
            show(h('h1', {}, 'Overview'), failure(e));
            return;
        }
        if (!location.hash.match(/^(#\/?)?(overview)?$/)) return; // the operator moved on while this was on its way
        const now = Date.now();
        if (previous) {
            const seconds = Math.max(0.001, (now - previous.at) / 1000);
            pushSample(history.in, (stats.total.messagesIn - previous.in) / seconds);
            pushSample(history.out, (stats.total.messagesOut - previous.out) / seconds);
        }
        pushSample(history.connections, stats.total.connections);
        pushSample(history.latency, health.store.latencyMs);
        previous = {at: now, in: stats.total.messagesIn, out: stats.total.messagesOut};
        const byTransport = stats.total.connectionsByTransport ?? {};
        const transports = [...new Set(stats.nodes.flatMap(n => Object.keys(n.connectionsByTransport ?? {})).concat(Object.keys(byTransport)))];
        const card = (label, value, series, attrs = {}) => h('div', {class: 'card'}, h('div', {class: 'muted'}, label),
            h('div', {class: 'value', 'data-metric': label, ...attrs}, value), series ? sparkline(series, label) : null);
        const rate = list => list.length ? list.at(-1).toFixed(1) : '–';
        const store = health.store;
        const dead = health.deadLetters;
        show(h('h1', {}, 'Overview'),
            h('div', {class: 'cards'},
                card('Connections', stats.total.connections, history.connections),
                ...transports.map(t => card(TRANSPORT_NAMES[t] ?? t, byTransport[t] ?? 0)),
                card('Users online', stats.total.usersOnline),
                card('Messages in /s', rate(history.in), history.in),
                card('Deliveries /s', rate(history.out), history.out),
                card('Store', store.healthy ? 'healthy' : `unhealthy: ${store.error}`, null, {class: `value ${store.healthy ? 'ok' : 'error'}`}),
                card('Store latency (ms)', store.latencyMs.toFixed(2), history.latency),
                h('div', {class: 'card'}, h('div', {class: 'muted'}, 'Dead letters'),
                    h('div', {class: 'value', 'data-metric': 'Dead letters'},
                        h('a', {href: '#/dead-letters'}, dead.count ?? '?'))),
                card('Slow-consumer closes', stats.total.slowConsumerCloses),
                card('Rejected (per-user cap)', stats.total.connectionsRejected)),
            h('p', {class: 'muted'}, `Store ${store.name}; ${store.failedCommits} failed commits since start. `
                + 'Health and dead letters are this node\'s; the counters below, every node\'s.'),
            h('h2', {}, 'Nodes'),
            h('table', {}, h('thead', {}, h('tr', {}, ['Node', 'Version', 'Up (s)', 'Connections', ...transports.map(t => TRANSPORT_NAMES[t] ?? t),
                    'Users', 'Topics', 'Slow closes'].map(t => h('th', {scope: 'col'}, t)))),
                h('tbody', {}, stats.nodes.map(n => h('tr', {}, h('td', {}, n.node), h('td', {}, n.version ?? ''),
                    h('td', {}, n.uptimeSeconds ?? ''), h('td', {}, n.connections),
                    ...transports.map(t => h('td', {}, n.connectionsByTransport?.[t] ?? 0)),
                    h('td', {}, n.usersOnline), h('td', {}, n.topics), h('td', {}, n.slowConsumerCloses ?? ''))))),
            h('p', {class: 'muted'}, `Updated every 2 s${stats.partial ? ' — partial: this node cannot reach the cluster' : ''}.`));
    };
    render();
    overviewTimer = setInterval(render, 2000);
}

const TRANSPORT_NAMES = {websocket: 'WebSocket', sse: 'SSE', pusher: 'Pusher'};

// ---- users ----

async function users(uid, since) {
    const input = h('input', {name: 'uid', value: uid ?? '', required: true, autocomplete: 'off'});
    const form = h('form', {class: 'inline', role: 'search', onsubmit: e => {
        e.preventDefault();
        location.hash = `#/users/${encodeURIComponent(input.value.trim())}`;
    }}, h('label', {}, 'User id', input), h('button', {type: 'submit'}, 'Search'));
    if (!uid) {
        const list = h('section', {'aria-label': 'Online users'});
        // typing narrows the list to the user ids that start with what was typed (asked once typing pauses)
        let typing = null;
        input.addEventListener('input', () => {
            clearTimeout(typing);
            typing = setTimeout(() => onlineUsers(list, [], input.value.trim()), 250);
        });
        show(h('h1', {}, 'Users'), form, list);
        input.focus();
        onlineUsers(list, []);
        return;
    }
    const path = encodeURIComponent(uid);
    try {
        const [presence, inbox] = await Promise.all([api('GET', `/api/v1/users/${path}`),
            api('GET', `/api/v1/users/${path}/messages?limit=${PAGE}${since ? `&since=${encodeURIComponent(since)}` : ''}`)]);
        const kick = connection => async () => {
            await api('DELETE', `/api/v1/users/${path}/connections${connection ? `?connection=${encodeURIComponent(connection)}` : ''}`);
            users(uid, since);
        };
        show(h('h1', {}, 'Users'), form,
            h('h2', {}, `${uid}: ${presence.online ? 'online' : 'offline'}`),
            presence.connections.length === 0 ? h('p', {class: 'muted'}, 'No connection.') :
                h('table', {}, h('thead', {}, h('tr', {}, ['Connection', 'Node', 'Transport', 'Protocol', 'Address', 'Since', 'Topics', '']
                        .map(t => h('th', {scope: 'col'}, t)))),
                    h('tbody', {}, presence.connections.map(c => h('tr', {}, h('td', {}, h('code', {}, c.id)), h('td', {}, c.node),
                        h('td', {}, c.transport ?? 'websocket'), h('td', {}, c.protocol), h('td', {}, c.remoteAddress),
                        h('td', {}, c.connectedAt), h('td', {}, (c.topics ?? []).join(', ')),
                        h('td', {}, h('button', {type: 'button', class: 'danger', onclick: kick(c.id), 'aria-label': `Kick ${c.id}`}, 'Kick')))))),
            h('h2', {}, 'Inbox'),
            inbox.gap ? h('p', {class: 'error'}, 'Older messages were lost (ttl or inbox cap).') : null,
            h('table', {}, h('thead', {}, h('tr', {}, ['Message', 'Sent', 'Position', 'Data'].map(t => h('th', {scope: 'col'}, t)))),
                h('tbody', {}, inbox.messages.map(m => h('tr', {},
                    h('td', {}, h('a', {href: `#/message/${m.id}`}, h('code', {}, m.id))), h('td', {}, new Date(m.ts).toISOString()),
                    h('td', {}, m.pos != null ? `${m.pos}@${m.epoch}` : ''), h('td', {}, h('code', {}, JSON.stringify(m.data))))))),
            inbox.more ? h('a', {href: `#/users/${path}/${encodeURIComponent(inbox.next)}`}, `Next ${PAGE}`) : null);
    } catch (e) {
        if (e instanceof LoggedOut) return;
        show(h('h1', {}, 'Users'), form, failure(e));
    }
}

/**
 * This node's online users, PAGE at a time (GET /api/v1/admin/users): never more rows than a page, whatever the
 * number of users. {@code trail}: the {@code after} of every page before this one, for "Previous"; {@code prefix}: only
 * user ids that start with it.
 */
async function onlineUsers(list, trail, prefix = '') {
    const after = trail.at(-1) ?? '';
    const ticket = list.ticket = (list.ticket ?? 0) + 1; // only the latest request's answer is shown (typing sends several)
    let page;
    try {
        page = await api('GET', `/api/v1/admin/users?limit=${PAGE}&after=${encodeURIComponent(after)}&prefix=${encodeURIComponent(prefix)}`);
    } catch (e) {
        if (e instanceof LoggedOut) return;
        if (list.ticket === ticket) list.replaceChildren(failure(e));
        return;
    }
    if (list.ticket !== ticket) return;
    const first = trail.length * PAGE + 1;
    const button = (label, next, disabled) => h('button', {type: 'button', disabled, onclick: async () => {
        await onlineUsers(list, next, prefix);
        list.querySelector(`button[data-page="${label}"]:not([disabled])`)?.focus();
    }, 'data-page': label}, label);
    list.replaceChildren(h('h2', {}, `Online on this node: ${page.usersOnline} users, ${page.connections} connections`),
        prefix ? h('p', {class: 'muted'}, `User ids starting with “${prefix}”:`) : null,
        page.users.length === 0 ? h('p', {class: 'muted'}, 'Nobody.') :
            h('table', {}, h('thead', {}, h('tr', {}, ['User', 'Connections', 'Transports'].map(t => h('th', {scope: 'col'}, t)))),
                h('tbody', {}, page.users.map(u => h('tr', {},
                    h('td', {}, h('a', {href: `#/users/${encodeURIComponent(u.user)}`}, u.user)), h('td', {}, u.connections),
                    h('td', {}, Object.entries(u.transports).map(([t, n]) => `${TRANSPORT_NAMES[t] ?? t} ${n}`).join(', ')))))),
        h('p', {class: 'pager'}, page.users.length ? `${first}–${first + page.users.length - 1} ` : '',
            button('Previous', trail.slice(0, -1), trail.length === 0), ' ',
            button(`Next ${PAGE}`, [...trail, page.next], page.next == null)));
}

// ---- one message ----

async function message(id) {
    try {
        const receipt = await api('GET', `/api/v1/messages/${encodeURIComponent(id)}`);
        show(h('h1', {}, 'Message ', h('code', {}, id)),
            h('p', {}, h('code', {}, JSON.stringify(receipt.data))),
            h('h2', {}, 'Recipients'),
            h('table', {}, h('thead', {}, h('tr', {}, ['User', 'Status', 'Details'].map(t => h('th', {scope: 'col'}, t)))),
                h('tbody', {}, (receipt.recipients ?? []).map(r => h('tr', {}, h('td', {}, r.user), h('td', {}, r.status),
                    h('td', {}, h('code', {}, JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !['user', 'status'].includes(k)))))))))),
            receipt.deliveries?.length ? deliveriesTable(receipt.deliveries, false) : null);
    } catch (e) {
        if (e instanceof LoggedOut) return;
        show(h('h1', {}, 'Message'), failure(e));
    }
}

function deliveriesTable(deliveries, actions, reload) {
    const act = (method, path) => async () => {
        await api(method, path);
        reload?.();
    };
    return h('table', {}, h('thead', {}, h('tr', {}, ['Delivery', 'Channel', 'User', 'State', 'Attempts', actions ? '' : null]
            .filter(t => t !== null).map(t => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, deliveries.map(d => h('tr', {}, h('td', {}, h('a', {href: `#/message/${d.messageId}`}, h('code', {}, d.id))),
            h('td', {}, d.channel), h('td', {}, d.user ?? ''), h('td', {}, d.state),
            h('td', {}, (d.attempts ?? []).map(a => h('div', {}, `#${a.number} ${a.outcome}${a.status ? ` ${a.status}` : ''}${a.error ? `: ${a.error}` : ''}`))),
            actions ? h('td', {},
                h('button', {type: 'button', onclick: act('POST', `/api/v1/dead-letters/${d.id}/retry`), 'aria-label': `Retry ${d.id}`}, 'Retry'), ' ',
                h('button', {type: 'button', class: 'danger', onclick: act('DELETE', `/api/v1/dead-letters/${d.id}`), 'aria-label': `Delete ${d.id}`}, 'Delete'))
                : null))));
}

// ---- send a test message ----

function send() {
    const to = h('input', {name: 'to', required: true, placeholder: 'user ids, comma-separated'});
    const kind = h('select', {name: 'kind'}, h('option', {value: 'users'}, 'Users'), h('option', {value: 'topics'}, 'Topics'),
        h('option', {value: 'all'}, 'Everyone'));
    const data = h('textarea', {name: 'data', rows: 4, required: true}, 'Test message from the console');
    const channels = h('input', {name: 'channels', placeholder: 'e.g. webhook,email (empty: the WebSocket / SSE only)'});
    const result = h('div', {'aria-live': 'polite'});
    show(h('h1', {}, 'Send a test message'),
        h('form', {onsubmit: async e => {
            e.preventDefault();
            let payload = data.value;
            try {
                payload = JSON.parse(payload);
            } catch {
                // not JSON: sent as a string
            }
            const names = to.value.split(',').map(s => s.trim()).filter(Boolean);
            const body = {to: kind.value === 'all' ? {all: true} : {[kind.value]: names}, data: payload};
            const list = channels.value.split(',').map(s => s.trim()).filter(Boolean);
            if (list.length) body.channels = list;
            try {
                const answer = await api('POST', '/api/v1/messages', body);
                result.replaceChildren(h('p', {class: 'ok', role: 'status'}, `Sent: delivered to ${answer.delivered} connection(s). `,
                    h('a', {href: `#/message/${answer.id}`}, answer.id)));
            } catch (err) {
                if (err instanceof LoggedOut) return;
                result.replaceChildren(failure(err));
            }
        }}, h('label', {}, 'To', kind), h('label', {}, 'Names', to), h('label', {}, 'Data (JSON, or text)', data),
            h('label', {}, 'Channels', channels), h('button', {type: 'submit'}, 'Send')),
        result);
    to.focus();
}

// ---- dead letters ----

async function deadLetters(channel, before) {
    const input = h('input', {name: 'channel', value: channel ?? '', placeholder: 'any channel'});
    const form = h('form', {class: 'inline', onsubmit: e => {
        e.preventDefault();
        location.hash = `#/dead-letters/${encodeURIComponent(input.value.trim())}`;
    }}, h('label', {}, 'Channel', input), h('button', {type: 'submit'}, 'Filter'));
    const query = new URLSearchParams({limit: String(PAGE)});
    if (channel) query.set('channel', channel);
    if (before) query.set('before', before);
    try {
        const page = await api('GET', `/api/v1/dead-letters?${query}`);
        show(h('h1', {}, 'Dead letters'), form,
            page.deadLetters.length === 0 ? h('p', {class: 'muted'}, 'None.') : deliveriesTable(page.deadLetters, true, () => deadLetters(channel, before)),
            page.next ? h('a', {href: `#/dead-letters/${encodeURIComponent(channel ?? '')}/${encodeURIComponent(page.next)}`}, `Next ${PAGE}`) : null);
    } catch (e) {
        if (e instanceof LoggedOut) return;
        show(h('h1', {}, 'Dead letters'), form, failure(e));
    }
}

// ---- contacts ----

async function contacts(uid) {
    const input = h('input', {name: 'uid', value: uid ?? '', required: true, autocomplete: 'off'});
    const form = h('form', {class: 'inline', role: 'search', onsubmit: e => {
        e.preventDefault();
        location.hash = `#/contacts/${encodeURIComponent(input.value.trim())}`;
    }}, h('label', {}, 'User id', input), h('button', {type: 'submit'}, 'Show contacts'));
    if (!uid) {
        show(h('h1', {}, 'Contacts'), form, h('p', {class: 'muted'}, 'A user\'s addresses on the notification channels. '
            + 'Secrets never reach this page: the server masks them (URLs keep only their host, e-mail addresses a few characters).'));
        input.focus();
        return;
    }
    try {
        const answer = await api('GET', `/api/v1/admin/users/${encodeURIComponent(uid)}/contacts`);
        const rows = Object.entries(answer.contacts);
        show(h('h1', {}, 'Contacts'), form,
            h('h2', {}, `${uid}: ${rows.length} channel(s), updated ${new Date(answer.updatedAt).toISOString()}`),
            h('table', {}, h('thead', {}, h('tr', {}, ['Channel', 'Address', 'Secret', 'State'].map(t => h('th', {scope: 'col'}, t)))),
                h('tbody', {}, rows.map(([channel, c]) => h('tr', {}, h('td', {}, channel),
                    h('td', {}, h('code', {}, c.url ?? c.address)), h('td', {}, c.secret ? 'set (hidden)' : 'none'),
                    h('td', {class: c.disabled ? 'error' : ''}, c.disabled ? `disabled: ${c.disabled}` : 'enabled'))))));
    } catch (e) {
        if (e instanceof LoggedOut) return;
        show(h('h1', {}, 'Contacts'), form, e instanceof ApiError && e.code === 'contacts_not_found'
            ? h('p', {class: 'muted', role: 'status'}, `${uid} has no contacts.`) : failure(e));
    }
}

// ---- configuration ----

async function configuration() {
    let answer;
    try {
        answer = await api('GET', '/api/v1/admin/config');
    } catch (e) {
        if (e instanceof LoggedOut) return;
        show(h('h1', {}, 'Configuration'), failure(e));
        return;
    }
    const rows = answer.settings.map(s => h('tr', {'data-key': s.key},
        h('th', {scope: 'row'}, h('code', {}, s.key)),
        h('td', {}, s.secret ? h('span', {class: 'muted'}, s.value || '(not set)') : h('code', {}, s.value)),
        h('td', {class: 'muted'}, s.origin),
        h('td', {class: 'muted'}, s.description)));
    const filter = h('input', {type: 'search', name: 'filter', autocomplete: 'off', oninput: () => {
        const words = filter.value.trim().toLowerCase();
        for (const row of rows) row.hidden = words !== '' && !row.textContent.toLowerCase().includes(words);
    }});
    show(h('h1', {}, 'Configuration'),
        h('p', {class: 'muted'}, `Node ${answer.node}${answer.devMode ? ' (dev mode)' : ''}: every setting as it runs now. `
            + 'Secrets show only whether they are set; URLs keep only their host. Change settings in the file, the environment or '
            + 'the flags, then restart.'),
        h('form', {class: 'inline', role: 'search', onsubmit: e => e.preventDefault()}, h('label', {}, 'Filter settings', filter)),
        h('table', {}, h('thead', {}, h('tr', {}, ['Key', 'Value', 'From', 'Meaning'].map(t => h('th', {scope: 'col'}, t)))),
            h('tbody', {}, rows)));
    filter.focus();
}

// ---- routing, theme ----

function route() {
    clearInterval(overviewTimer);
    if (!loggedIn()) return login();
    document.getElementById('logout').hidden = DEV;
    const [page = 'overview', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    for (const link of document.querySelectorAll('nav a')) {
        if (link.getAttribute('href') === `#/${page}`) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
    }
    switch (page) {
        case 'users': return users(args[0] || null, args[1]);
        case 'message': return message(args[0]);
        case 'send': return send();
        case 'dead-letters': return deadLetters(args[0] || null, args[1]);
        case 'contacts': return contacts(args[0] || null);
        case 'config': return configuration();
        default: return overview();
    }
}

const theme = document.getElementById('theme');
function applyTheme(name) {
    document.documentElement.dataset.theme = name;
    theme.setAttribute('aria-pressed', String(name === 'dark'));
    theme.textContent = name === 'dark' ? 'Light theme' : 'Dark theme';
}
applyTheme(localStorage.getItem('herald.console.theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
theme.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('herald.console.theme', next);
    applyTheme(next);
});
document.getElementById('logout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    route();
});
window.addEventListener('hashchange', () => {
    route();
    main.focus();
});
route();
