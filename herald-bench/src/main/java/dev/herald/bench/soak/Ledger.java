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
import java.util.List;
import java.util.Map;

/**
 * Checks that nothing acknowledged is lost: users {@code ledger-0 …}, each with one Herald-protocol connection that
 * logs in again with {@code since} = the greatest id it received whenever it is closed (kicked by the soak, or by the
 * server), and durable publishes to them, one in flight per user, recorded in a {@link LedgerBook} when the API
 * acknowledges them (200 or 202 with an id).
 *
 * <p>{@link #finish} stops publishing, waits for the answers and for every ledger user to be connected and quiet, then
 * asks the pull API ({@code GET /api/v1/users/{uid}/messages}) for each acknowledged id that never arrived:
 * one it still returns is <em>replayable</em> (delivered late, not lost), one it does not is <em>lost</em>.
 *
 * <p>Confined to the generator's event loop.
 */
final class Ledger {
    /** The outcome: every figure of the ledger check. */
    record Result(long acknowledged, long receipts, long lost, long replayable, long duplicates, long outOfOrder,
                  long unacknowledged, long gaps, long publishFailures, long reconnects) {
    }

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
    private final boolean[] inFlight;
    private final long[] sequence;
    private int nextUser;
    private boolean running = true;
    private boolean closed;
    private long lastReceiptAt = System.nanoTime();

    Ledger(Vertx vertx, WebSocketClient client, Api api, String host, int port, int users, Counters counters) {
        this.vertx = vertx;
        this.client = client;
        this.api = api;
        this.host = host;
        this.port = port;
        this.counters = counters;
        this.sockets = new WebSocket[users];
        this.welcomed = new boolean[users];
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
        return settled.future().compose(v -> checkMissing()).map(replayable -> {
            long missing = book.missing().values().stream().mapToLong(List::size).sum();
            return new Result(book.acknowledgedCount(), book.receipts(), missing - replayable, replayable, book.duplicates(),
                    book.outOfOrder(), book.unacknowledged(), counters.ledgerGaps, counters.ledgerPublishFailed,
                    counters.ledgerReconnects);
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

    /** How many of the missing ids the pull API still returns. */
    private Future<Long> checkMissing() {
        List<Future<Long>> checks = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : book.missing().entrySet()) {
            for (String id : e.getValue()) {
                checks.add(api.stored(e.getKey(), book.acknowledgedBefore(e.getKey(), id)).map(a -> {
                    if (a.status() != 200) {
                        return 0L;
                    }
                    JsonArray messages = new JsonObject(a.body()).getJsonArray("messages", new JsonArray());
                    for (int k = 0; k < messages.size(); k++) {
                        if (id.equals(messages.getJsonObject(k).getString("id"))) {
                            return 1L;
                        }
                    }
                    return 0L;
                }));
            }
        }
        return Future.all(checks).map(all -> checks.stream().mapToLong(f -> f.result()).sum());
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

    private void open(int i) {
        String since = book.since(user(i));
        String uri = "/ws?uid=" + user(i) + (since == null ? "" : "&since=" + since);
        client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri)).onComplete(ar -> {
            if (ar.failed()) {
                counters.connectFailures++;
                vertx.setTimer(1000, t -> open(i));
                return;
            }
            WebSocket ws = ar.result();
            sockets[i] = ws;
            ws.exceptionHandler(e -> { });
            ws.textMessageHandler(text -> onFrame(i, text));
            ws.closeHandler(v -> {
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
            case "welcome" -> welcomed[i] = true;
            case "message" -> {
                lastReceiptAt = System.nanoTime();
                book.received(user(i), frame.getString("id"));
            }
            case "gap" -> counters.ledgerGaps++;
            default -> { }
        }
    }
}
