package dev.herald.bench.soak;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.List;
import java.util.Random;

/**
 * The soak's crowd: {@code size} seed-protocol connections, one per user {@code u0 … u<size-1>} (seed mode: the
 * cheapest client to hold 10,000 of on one generator core; the server replays a returning seed user's unwritten
 * stored messages). {@link #churn} closes random connections and opens each user again at once; a connection closed
 * by the server (a kick, 4004) is opened again after {@link #RECONNECT_DELAY_MS}. Frames received are counted.
 *
 * <p>Confined to the generator's event loop.
 */
final class Population {
    static final long RECONNECT_DELAY_MS = 200;

    private final Vertx vertx;
    private final List<WebSocketClient> clients;
    private final String host;
    private final int port;
    private final Counters counters;
    private final WebSocket[] slots;
    private final boolean[] connecting;
    private boolean running = true;

    Population(Vertx vertx, List<WebSocketClient> clients, String host, int port, int size, Counters counters) {
        this.vertx = vertx;
        this.clients = clients;
        this.host = host;
        this.port = port;
        this.counters = counters;
        this.slots = new WebSocket[size];
        this.connecting = new boolean[size];
    }

    int size() {
        return slots.length;
    }

    static String user(int i) {
        return "u" + i;
    }

    /** Connects every user, {@code parallel} handshakes at a time; completes when each has connected or failed once. */
    Future<Void> connectAll(int parallel) {
        Promise<Void> done = Promise.promise();
        int[] next = {0};
        int[] finished = {0};
        Runnable[] start = new Runnable[1];
        start[0] = () -> {
            if (next[0] >= slots.length) {
                return;
            }
            int i = next[0]++;
            open(i).onComplete(ar -> {
                if (++finished[0] == slots.length) {
                    done.complete();
                } else {
                    start[0].run();
                }
            });
        };
        for (int i = 0; i < Math.min(parallel, slots.length); i++) {
            start[0].run();
        }
        return done.future();
    }

    /** Closes {@code n} random open connections and opens their users again: n disconnects and n connects. */
    void churn(int n, Random random) {
        for (int k = 0; k < n; k++) {
            int i = random.nextInt(slots.length);
            WebSocket ws = slots[i];
            if (ws == null) {
                continue; // connecting or waiting to reconnect: it comes back by itself
            }
            slots[i] = null; // before close(): the close handler sees the slot taken from it and does not reconnect
            counters.open--;
            counters.disconnects++;
            ws.close();
            open(i);
        }
    }

    void stop() {
        running = false;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                WebSocket ws = slots[i];
                slots[i] = null;
                ws.close();
            }
        }
    }

    private Future<Void> open(int i) {
        if (connecting[i] || !running) {
            return Future.succeededFuture();
        }
        connecting[i] = true;
        WebSocketClient client = clients.get(i % clients.size());
        return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws")).map(ws -> {
            connecting[i] = false;
            counters.connects++;
            counters.open++;
            slots[i] = ws;
            ws.textMessageHandler(s -> counters.populationReceived++);
            ws.exceptionHandler(e -> { });
            ws.closeHandler(v -> {
                if (slots[i] == ws) { // closed by the server (a kick): the user comes back
                    slots[i] = null;
                    counters.open--;
                    counters.disconnects++;
                    vertx.setTimer(RECONNECT_DELAY_MS, t -> open(i));
                }
            });
            ws.writeTextMessage("{\"uid\":\"" + user(i) + "\"}");
            return (Void) null;
        }).recover(e -> {
            connecting[i] = false;
            counters.connectFailures++;
            vertx.setTimer(1000, t -> open(i));
            return Future.succeededFuture();
        });
    }
}
