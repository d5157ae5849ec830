package dev.herald.bench.soak;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Clients that log in and never read: users {@code slow-0 …}, Herald protocol, paused right after connecting, so
 * the server's send queue for them fills until it closes them with 4008 (slow consumer). The server's close cannot
 * be seen through a paused socket; a {@code persist:false} publish answered {@code "delivered":0} says the user is
 * gone, and {@link #replace} then opens a new slow consumer in its place.
 *
 * <p>Confined to the generator's event loop.
 */
final class SlowConsumers {
    private final Vertx vertx;
    private final WebSocketClient client;
    private final String host;
    private final int port;
    private final Counters counters;
    private final WebSocket[] sockets;
    private final boolean[] connecting;
    private boolean running = true;

    SlowConsumers(Vertx vertx, WebSocketClient client, String host, int port, int count, Counters counters) {
        this.vertx = vertx;
        this.client = client;
        this.host = host;
        this.port = port;
        this.counters = counters;
        this.sockets = new WebSocket[count];
        this.connecting = new boolean[count];
    }

    int count() {
        return sockets.length;
    }

    static String user(int i) {
        return "slow-" + i;
    }

    void start() {
        for (int i = 0; i < sockets.length; i++) {
            open(i);
        }
    }

    /** The user was found offline: drop our end and log in again (a new slow consumer). */
    void replace(int i) {
        if (connecting[i] || !running) {
            return;
        }
        WebSocket old = sockets[i];
        sockets[i] = null;
        if (old != null) {
            counters.slowReplaced++;
            old.close();
        }
        open(i);
    }

    void stop() {
        running = false;
        for (int i = 0; i < sockets.length; i++) {
            if (sockets[i] != null) {
                sockets[i].close();
                sockets[i] = null;
            }
        }
    }

    private void open(int i) {
        if (!running) {
            return;
        }
        connecting[i] = true;
        client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws?uid=" + user(i))).onComplete(ar -> {
            connecting[i] = false;
            if (ar.failed()) {
                counters.connectFailures++;
                vertx.setTimer(1000, t -> open(i));
                return;
            }
            WebSocket ws = ar.result();
            ws.exceptionHandler(e -> { });
            ws.pause(); // never read: the welcome and everything after it stay in the socket buffers
            sockets[i] = ws;
        });
    }
}
