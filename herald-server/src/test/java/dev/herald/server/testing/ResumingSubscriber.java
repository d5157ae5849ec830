package dev.herald.server.testing;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a client SDK does, in Java, for tests: stays connected as one user, reconnects by itself
 * after any close or failed connect, resumes with {@code since=<last id seen>}, acks every message,
 * and de-duplicates by id. Counts the duplicates it hid.
 */
public final class ResumingSubscriber implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final URI base;
    private final String userId;
    private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor();
    private final List<String> received = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();
    private volatile String cursor;
    private volatile boolean running = true;
    private volatile WebSocket ws;

    /** {@code base}: {@code ws://host:port}. */
    public ResumingSubscriber(URI base, String userId) {
        this.base = base;
        this.userId = userId;
        connect();
    }

    private void connect() {
        if (!running) {
            return;
        }
        String query = "uid=" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + (cursor == null ? "" : "&since=" + cursor);
        CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                .buildAsync(URI.create(base + "/ws?" + query), new Listener())
                .whenComplete((socket, error) -> {
                    if (error != null) {
                        retrySoon();
                    } else {
                        ws = socket;
                        connects.incrementAndGet();
                    }
                });
    }

    private void retrySoon() {
        if (running) {
            reconnects.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

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
            retrySoon();
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            retrySoon();
        }
    }

    private void onFrame(WebSocket socket, String text) {
        JsonObject frame = new JsonObject(text);
        if (!"message".equals(frame.getString("type"))) {
            return;
        }
        String id = frame.getString("id");
        synchronized (this) {
            if (!seen.add(id)) {
                duplicates.incrementAndGet();
                return;
            }
            received.add(id);
            if (cursor == null || id.compareTo(cursor) > 0) {
                cursor = id;
            }
        }
        socket.sendText(new JsonObject().put("type", "ack").put("id", id).encode(), true);
    }

    /** Ids received, de-duplicated, in arrival order. */
    public synchronized List<String> received() {
        return List.copyOf(received);
    }

    public int duplicatesHidden() {
        return duplicates.get();
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
