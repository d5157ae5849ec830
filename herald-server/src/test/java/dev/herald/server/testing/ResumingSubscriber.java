package dev.herald.server.testing;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a client SDK does, in Java, for tests: follows one user's inbox, reconnects by itself after any close or failed
 * connect (to the node {@code nodes} names each time: a load balancer's choice) and resumes. It keeps every message
 * frame's id and position in arrival order, duplicates included, so a test can check them. Two ways to resume:
 * <ul>
 *   <li>{@link #byId}: {@code since=<last id seen>}, and it acks every message (as the browser SDK does);</li>
 *   <li>{@link #byPosition}: {@code since=<pos>@<epoch>} of the last message it got (from the login's
 *       {@code positions} frame until the first), and it never acks, so a login without a cursor would replay the
 *       whole inbox (the cluster ledgers).</li>
 * </ul>
 */
public final class ResumingSubscriber implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** An upgrade not answered within this is given up and tried again (a real client does not wait for good). */
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 5;

    /** One message frame as it arrived. */
    public record Arrival(String id, long position, String epoch) { }

    private final String userId;
    private final Supplier<URI> nodes;
    private final boolean byPosition;
    private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "resuming-subscriber-reconnect");
        t.setDaemon(true);
        return t;
    });
    private final List<Arrival> arrivals = new ArrayList<>();
    private final List<String> otherFrames = new ArrayList<>();
    private final AtomicInteger connects = new AtomicInteger();
    private volatile String cursor;
    private volatile boolean running = true;
    private volatile WebSocket ws;

    private ResumingSubscriber(String userId, Supplier<URI> nodes, boolean byPosition) {
        this.userId = userId;
        this.nodes = nodes;
        this.byPosition = byPosition;
        connect();
    }

    /** Resumes by the last id seen and acks every message; {@code base}: {@code ws://host:port}. */
    public static ResumingSubscriber byId(URI base, String userId) {
        return new ResumingSubscriber(userId, () -> base, false);
    }

    /** Resumes by position and never acks; {@code nodes}: {@code ws://host:port} of the node to connect to next. */
    public static ResumingSubscriber byPosition(String userId, Supplier<URI> nodes) {
        return new ResumingSubscriber(userId, nodes, true);
    }

    private void connect() {
        if (!running) {
            return;
        }
        String query = "uid=" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + (cursor == null ? "" : "&since=" + cursor);
        Listener listener = new Listener();
        // connectTimeout covers the TCP connect only: a node that accepts and then never answers the upgrade (it is
        // dying, or waiting) would hold this attempt, and the subscriber, for good. A real client gives up and retries.
        CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                .buildAsync(URI.create(nodes.get() + "/ws?" + query), listener)
                .toCompletableFuture().orTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((socket, error) -> {
                    if (error != null) {
                        listener.abandon();
                        retrySoon();
                    } else {
                        ws = socket;
                        connects.incrementAndGet();
                    }
                });
    }

    private void retrySoon() {
        if (running) {
            reconnects.schedule(this::connect, 50, TimeUnit.MILLISECONDS);
        }
    }

    /** Drops the connection without a close handshake (as a network cut would); the subscriber reconnects. */
    public void dropConnection() {
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
            retrySoon();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private boolean ended;
        private volatile boolean abandoned;

        /** The attempt timed out: a socket that opens after all is dropped (the retry has its own). */
        void abandon() {
            abandoned = true;
        }

        @Override
        public void onOpen(WebSocket socket) {
            if (abandoned) {
                ended = true; // no retry from this one: the timeout scheduled it
                socket.abort();
                return;
            }
            socket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                onFrame(socket, partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            end();
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            end();
        }

        /** Once per socket: {@link #dropConnection} may have scheduled the reconnect already, an abort calls onError too. */
        private synchronized void end() {
            if (!ended) {
                ended = true;
                retrySoon();
            }
        }
    }

    private void onFrame(WebSocket socket, String text) {
        JsonObject frame = new JsonObject(text);
        if (!"message".equals(frame.getString("type"))) {
            synchronized (this) {
                otherFrames.add(frame.getString("type"));
                if (byPosition && "positions".equals(frame.getString("type")) && frame.getString("inbox") != null && cursor == null) {
                    cursor = frame.getString("inbox"); // where the login replay left it: resume from there, not from the unacked
                }
            }
            return;
        }
        String id = frame.getString("id");
        long position = frame.getLong("pos", -1L);
        String epoch = frame.getString("epoch");
        synchronized (this) {
            arrivals.add(new Arrival(id, position, epoch));
            if (byPosition) {
                if (epoch != null) {
                    cursor = position + "@" + epoch;
                }
            } else if (cursor == null || id.compareTo(cursor) > 0) {
                cursor = id;
            }
        }
        if (!byPosition) {
            socket.sendText(new JsonObject().put("type", "ack").put("id", id).encode(), true);
        }
    }

    /** Every message frame, in arrival order, duplicates included. */
    public synchronized List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    /** The distinct ids received, in order of first arrival. */
    public synchronized Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        for (Arrival a : arrivals) {
            ids.add(a.id());
        }
        return ids;
    }

    /** {@link #ids()} as a list: what a client that de-duplicates by id shows. */
    public List<String> received() {
        return List.copyOf(ids());
    }

    /** Message frames whose id had arrived before (a client that de-duplicates by id hides them). */
    public synchronized int duplicatesHidden() {
        return arrivals.size() - ids().size();
    }

    /** The types of the frames that were not messages ({@code welcome}, {@code positions}, {@code gap}…). */
    public synchronized List<String> otherFrames() {
        return new ArrayList<>(otherFrames);
    }

    public String userId() {
        return userId;
    }

    public int connects() {
        return connects.get();
    }

    @Override
    public void close() {
        running = false;
        reconnects.shutdownNow();
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
        }
    }
}
