package dev.herald.bench.peers;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The generators' WebSocket clients ({@link LoadGenerator}, {@code ClusterLoad}): each one opens {@code /ws} and logs
 * in with the seed frame {@code {"uid":"…"}}, so the server sends it raw payloads; {@code parallel} connections are
 * being opened at a time. Everything but {@link #connect} runs on the generator's event loop.
 *
 * <p>The Vert.x clients are held here for as long as the sockets live: Vert.x shuts down a client that has become
 * unreachable (a {@code Cleaner}, 30 s after the garbage collector finds it) and closes every WebSocket it opened,
 * with 1000. A generator that kept its client in a local variable lost all its connections at once some time into a
 * run, whenever a collection happened to find the client (bench/run-cluster: the 1-node durable and saturation
 * windows of the first quiet run recorded no delivery).
 */
public final class SeedLogins {
    /** One login: where to connect, and the uid of its seed frame. */
    public record Login(String host, int port, String uid) { }

    private final Context ctx;
    private final Handler<String> onMessage;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final List<WebSocket> sockets = new ArrayList<>();
    private long failures;
    private long disconnects;
    private boolean closing;

    /**
     * @param maxConnections the most connections one client opens
     * @param sourceIps      0: one client; n: n clients, bound to 127.0.0.2… (past one address's ephemeral ports)
     * @param onMessage      every text message of every connection
     */
    public SeedLogins(Vertx vertx, Context ctx, int maxConnections, int sourceIps, Handler<String> onMessage) {
        this.ctx = ctx;
        this.onMessage = onMessage;
        for (int a = 0; a < Math.max(1, sourceIps); a++) {
            WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(maxConnections + 1)
                    .setMaxFrameSize(65536).setConnectTimeout(30_000);
            if (sourceIps > 0) {
                o.setLocalAddress("127.0.0." + (2 + a));
            }
            clients.add(vertx.createWebSocketClient(o));
        }
    }

    /**
     * Opens and logs in every one of {@code logins} ({@code parallel} at a time, login i through client i mod the
     * clients); returns the indexes of those that came up, in the order they did. Call from outside the event loop.
     */
    public List<Integer> connect(List<Login> logins, int parallel, long timeoutSeconds) throws Exception {
        int n = logins.size();
        List<Integer> up = new ArrayList<>(n);
        CompletableFuture<List<Integer>> done = new CompletableFuture<>();
        if (n == 0) {
            return up;
        }
        int[] next = {0};
        int[] finished = {0};
        Runnable[] start = new Runnable[1];
        start[0] = () -> {
            if (next[0] >= n) {
                return;
            }
            int i = next[0]++;
            Login login = logins.get(i);
            clients.get(i % clients.size())
                    .connect(new WebSocketConnectOptions().setHost(login.host()).setPort(login.port()).setURI("/ws"))
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            WebSocket ws = ar.result();
                            ws.textMessageHandler(onMessage);
                            ws.exceptionHandler(e -> { });
                            ws.closeHandler(v -> {
                                if (disconnects++ < 3 && !closing) {
                                    System.err.println("connection of " + login.uid() + " closed: " + ws.closeStatusCode()
                                            + (ws.closeReason() == null ? "" : " " + ws.closeReason()));
                                }
                            });
                            ws.writeTextMessage("{\"uid\":\"" + login.uid() + "\"}");
                            sockets.add(ws);
                            up.add(i);
                        } else if (failures++ < 3) {
                            System.err.println("connect to " + login.host() + ":" + login.port() + " failed: " + ar.cause());
                        }
                        if (++finished[0] == n) {
                            done.complete(up);
                        } else {
                            start[0].run();
                        }
                    });
        };
        ctx.runOnContext(v -> {
            for (int i = 0; i < parallel; i++) {
                start[0].run();
            }
        });
        List<Integer> result = done.get(timeoutSeconds, TimeUnit.SECONDS);
        CompletableFuture<List<Integer>> copy = new CompletableFuture<>();
        ctx.runOnContext(v -> copy.complete(new ArrayList<>(result)));
        return copy.get(60, TimeUnit.SECONDS);
    }

    /** Logins that failed so far (event loop). */
    public long failures() {
        return failures;
    }

    /** Connections closed so far, by either side (event loop). */
    public long disconnects() {
        return disconnects;
    }

    /** Closes every connection (event loop, or at the end). */
    public void closeAll() {
        closing = true; // the generator's own closes are not worth a line
        for (WebSocket ws : sockets) {
            ws.close();
        }
    }
}
