package dev.herald.bench.soak;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that nothing acknowledged is lost: users {@code ledger-0 …}, each with one Herald-protocol connection that
 * logs in again with {@code since} = the greatest id it received whenever it is closed (kicked by the soak, or by the
 * server), and durable publishes to them, one in flight per user, recorded in a {@link LedgerBook} when the API
 * acknowledges them (200 or 202 with an id).
 *
 * <p>{@link #finish} stops publishing, waits for the answers and for every ledger user to be connected and quiet, then
 * reads each such user's whole inbox through the pull API ({@code GET /api/v1/users/{uid}/messages}, page after page)
 * and sorts the acknowledged ids that never arrived ({@link LedgerBook#classify}): one it still returns is
 * <em>replayable</em> (delivered late, not lost); one inside a range a {@code gap} frame reported is <em>lost to a
 * reported gap</em> (the inbox cap or the TTL took it while the user was away, and Herald said so); any other is
 * <em>lost silently</em>. A user whose inbox could not be read leaves its ids <em>unchecked</em>.
 *
 * <p>Confined to the generator's event loop.
 */
final class Ledger {
    /** The outcome: every figure of the ledger check. */
    record Result(long acknowledged, long receipts, long lostSilently, long lostToGap, long replayable, long unchecked,
                  long duplicates, long outOfOrder, long unacknowledged, long gaps, long publishFailures, long reconnects) {
        /** Lost either way: silently, or to a gap Herald reported. */
        long lost() {
            return lostSilently + lostToGap;
        }

        /** Whether the ledger proves that nothing was lost without Herald saying so. */
        boolean clean() {
            return lostSilently == 0 && unchecked == 0;
        }
    }

    /** Messages per pull-API page when the inbox is read at the end (the API's maximum). */
    static final int PULL_PAGE = 1000;

    private static final long RECONNECT_DELAY_MS = 200;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final Api api;
    private final String host;
    private final int port;
    private final Counters counters;
    private final LedgerBook book = new LedgerBook();
    private final WebSocket[] sockets;
    private final boolean[] welcomed;
    /** Whether user i's connection has received no message since its welcome (its first says how long the replay took). */
    private final boolean[] awaitingFirst;
    private final boolean[] inFlight;
    private final long[] sequence;
    private int nextUser;
    private boolean running = true;
    private boolean closed;
    private long lastReceiptAt = System.nanoTime();
    /** What happened to the ledger users' connections, for {@code ledger-events.csv}: wall ms, user, event, detail. */
    private final List<String> events = new ArrayList<>();

    Ledger(Vertx vertx, WebSocketClient client, Api api, String host, int port, int users, Counters counters) {
        this.vertx = vertx;
        this.client = client;
        this.api = api;
        this.host = host;
        this.port = port;
        this.counters = counters;
        this.sockets = new WebSocket[users];
        this.welcomed = new boolean[users];
        this.awaitingFirst = new boolean[users];
        this.inFlight = new boolean[users];
        this.sequence = new long[users];
    }

    static String user(int i) {
        return "ledger-" + i;
    }

    int users() {
        return sockets.length;
    }

    void start() {
        for (int i = 0; i < sockets.length; i++) {
            open(i);
        }
    }

    /**
     * Publishes up to {@code n} durable messages, each to the next ledger user (round robin) that has none in flight;
     * returns how many it sent (fewer when the users' answers are slower than the rate).
     */
    int publish(int n) {
        int sent = 0;
        for (int tried = 0; tried < sockets.length && sent < n; tried++) {
            int i = nextUser;
            nextUser = (nextUser + 1) % sockets.length;
            if (inFlight[i] || !running) {
                continue;
            }
            inFlight[i] = true;
            sent++;
            long seq = ++sequence[i];
            api.publish(user(i), "{\"ledger\":" + seq + "}", true).onComplete(ar -> {
                inFlight[i] = false;
                Api.Answer a = ar.result();
                String id = a.id();
                if ((a.status() == 200 || a.status() == 202) && id != null) {
                    book.acknowledged(user(i), id);
                } else {
                    counters.ledgerPublishFailed++;
                }
            });
        }
        return sent;
    }

    /** Kicks ledger user {@code i} through the API: its connection is closed with 4004 and logs in again with {@code since}. */
    void kick(int i) {
        counters.kicked++;
        api.kick(user(i));
    }

    /** Stops publishing; completes with the result once the answers are in, the users are connected and quiet, and the pull API was asked. */
    Future<Result> finish(long quietMillis, long timeoutMillis) {
        running = false;
        Promise<Void> settled = Promise.promise();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        vertx.setPeriodic(100, id -> {
            boolean answered = !anyInFlight();
            boolean connected = allWelcomed();
            boolean quiet = System.nanoTime() - lastReceiptAt > quietMillis * 1_000_000;
            if ((answered && connected && (quiet || book.missing().isEmpty())) || System.nanoTime() > deadline) {
                vertx.cancelTimer(id);
                settled.complete();
            }
        });
        return settled.future().compose(v -> readInboxes()).map(stored -> {
            LedgerBook.Missing m = book.classify(stored);
            return new Result(book.acknowledgedCount(), book.receipts(), m.lostSilently(), m.lostToGap(), m.replayable(),
                    m.unchecked(), book.duplicates(), book.outOfOrder(), book.unacknowledged(), counters.ledgerGaps,
                    counters.ledgerPublishFailed, counters.ledgerReconnects);
        });
    }

    void close() {
        closed = true;
        for (WebSocket ws : sockets) {
            if (ws != null) {
                ws.close();
            }
        }
    }

    /**
     * The ids the pull API holds for each user with missing ids: its whole inbox, read page after page (a few pages:
     * the inbox cap bounds it). One request per user at a time, so the check cannot time itself out; a user whose
     * inbox could not be read is left out (its ids count as unchecked, not as lost).
     */
    private Future<Map<String, Set<String>>> readInboxes() {
        Map<String, Set<String>> stored = new HashMap<>();
        List<Future<Void>> reads = new ArrayList<>();
        for (String user : book.missing().keySet()) {
            Set<String> ids = new HashSet<>();
            reads.add(readInbox(user, null, ids).map(ok -> {
                if (ok) {
                    stored.put(user, ids);
                }
                return (Void) null;
            }));
        }
        return Future.all(reads).map(all -> stored);
    }

    /** Adds the ids of {@code user}'s inbox after {@code since} to {@code into}; completes with false when a page failed. */
    private Future<Boolean> readInbox(String user, String since, Set<String> into) {
        return api.stored(user, since, PULL_PAGE).compose(a -> {
            if (a.status() != 200) {
                counters.ledgerPullFailures++;
                return Future.succeededFuture(false);
            }
            JsonObject page = new JsonObject(a.body());
            JsonArray messages = page.getJsonArray("messages", new JsonArray());
            for (int k = 0; k < messages.size(); k++) {
                into.add(messages.getJsonObject(k).getString("id"));
            }
            String next = page.getString("next");
            if (page.getBoolean("more", false) && next != null && !next.equals(since)) {
                return readInbox(user, next, into);
            }
            return Future.succeededFuture(true);
        });
    }

    private boolean anyInFlight() {
        for (boolean b : inFlight) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    private boolean allWelcomed() {
        for (boolean b : welcomed) {
            if (!b) {
                return false;
            }
        }
        return true;
    }

    private void event(int i, String what, String detail) {
        events.add(System.currentTimeMillis() + "," + user(i) + "," + what + "," + (detail == null ? "" : detail));
    }

    /** The connection events, one CSV line each (wall ms, user, event, detail), oldest first. */
    List<String> events() {
        return events;
    }

    /** The acknowledged ids never received, one CSV line each (user, id, the id's millisecond). */
    List<String> missingLines() {
        List<String> out = new ArrayList<>();
        book.missing().forEach((user, ids) -> ids.forEach(id -> out.add(user + "," + id + "," + LedgerBook.idMillis(id))));
        return out;
    }

    private void open(int i) {
        String since = book.since(user(i));
        String uri = "/ws?uid=" + user(i) + (since == null ? "" : "&since=" + since);
        event(i, "connect", since);
        client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri)).onComplete(ar -> {
            if (ar.failed()) {
                event(i, "connect_failed", String.valueOf(ar.cause()).replace(',', ';'));
                counters.connectFailures++;
                vertx.setTimer(1000, t -> open(i));
                return;
            }
            WebSocket ws = ar.result();
            sockets[i] = ws;
            ws.exceptionHandler(e -> event(i, "error", String.valueOf(e).replace(',', ';')));
            ws.textMessageHandler(text -> onFrame(i, text));
            ws.closeHandler(v -> {
                event(i, "closed", ws.closeStatusCode() + " " + String.valueOf(ws.closeReason()).replace(',', ';'));
                sockets[i] = null;
                welcomed[i] = false;
                if (closed) {
                    return;
                }
                counters.ledgerReconnects++;
                vertx.setTimer(RECONNECT_DELAY_MS, t -> open(i));
            });
        });
    }

    private void onFrame(int i, String text) {
        JsonObject frame = new JsonObject(text);
        switch (frame.getString("type", "")) {
            case "welcome" -> {
                welcomed[i] = true;
                awaitingFirst[i] = true;
                event(i, "welcome", frame.getString("connection"));
            }
            case "message" -> {
                lastReceiptAt = System.nanoTime();
                if (awaitingFirst[i]) {
                    awaitingFirst[i] = false;
                    event(i, "first_message", frame.getString("id"));
                }
                book.received(user(i), frame.getString("id"));
            }
            case "gap" -> {
                counters.ledgerGaps++;
                book.gap(user(i), frame.getString("since"));
                event(i, "gap", frame.getString("since"));
            }
            default -> { }
        }
    }
}
