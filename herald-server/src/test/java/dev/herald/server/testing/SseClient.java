package dev.herald.server.testing;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Server-Sent Events reader for tests: the JDK HttpClient over HTTP/1.1, the body read line by line on a
 * thread of its own and parsed by the rules of the HTML standard's event-stream format ({@code id:}, {@code event:},
 * {@code data:} lines joined with {@code \n}, comments, a blank line dispatching). Events and comments are queued
 * for the test to take, with a deadline.
 */
public final class SseClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One dispatched event: {@code id} is the event's own {@code id:} field, null when it had none. */
    public record Event(String id, String event, String data) {
        public JsonObject json() {
            return new JsonObject(data);
        }

        public String type() {
            return json().getString("type");
        }
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final List<Event> seen = new ArrayList<>();
    private volatile String lastEventId;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        if (response.statusCode() == 200) {
            Thread.ofVirtual().start(this::read);
        } else {
            ended.complete(null);
        }
    }

    /** Opens {@code uri} with {@code headers}; returns once the response head arrived (the status may be an error). */
    public static SseClient open(URI uri, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(b::header);
        try {
            return new SseClient(CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public java.net.http.HttpHeaders headers() {
        return response.headers();
    }

    /** The body of a refused request (an error in the JSON envelope). */
    public JsonObject errorBody() {
        try (InputStream in = response.body()) {
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The last {@code id:} received, as an EventSource keeps it for {@code Last-Event-ID}. */
    public String lastEventId() {
        return lastEventId;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        Event e = new Event(id, event == null ? "message" : event, data.toString());
                        if (id != null) {
                            lastEventId = id;
                        }
                        received.add(e);
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    received.add(new Comment(line.substring(1)));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> event = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { }
                    }
                }
            }
            ended.complete(null);
        } catch (IOException e) {
            ended.complete(null); // closed by the test, or the connection dropped: the stream ended either way
        }
    }

    /** Every event received so far, taken or not (the queue is emptied into {@link #seen}), in arrival order. */
    public List<Event> drained() {
        Object o;
        while ((o = received.poll()) != null) {
            if (o instanceof Event e) {
                seen.add(e);
            }
        }
        return seen();
    }

    /** Every event taken so far, matched or skipped, in arrival order. */
    public List<Event> seen() {
        return List.copyOf(seen);
    }

    /** A comment line (a heartbeat). */
    public record Comment(String text) { }

    /** The next event matching {@code filter}, skipping others (they stay in {@link #seen}); fails after {@link #WAIT}. */
    public Event next(Predicate<Event> filter) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Object o = poll(deadline);
            if (o == null) {
                throw new AssertionError("no matching event within " + WAIT + "; seen: " + seen);
            }
            if (o instanceof Event e) {
                seen.add(e);
                if (filter.test(e)) {
                    return e;
                }
            }
        }
    }

    /** The next event of this SSE type ({@code message}, {@code welcome}, {@code positions}, {@code gap}, {@code close}…). */
    public Event next(String event) {
        return next(e -> e.event().equals(event));
    }

    /** Waits for the next comment line (a heartbeat). */
    public Comment nextComment() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Object o = poll(deadline);
            if (o == null) {
                throw new AssertionError("no comment within " + WAIT);
            }
            if (o instanceof Comment c) {
                return c;
            }
            if (o instanceof Event e) {
                seen.add(e);
            }
        }
    }

    /** The next event or comment received, or {@code null} once {@code deadline} ({@link System#nanoTime}) passed. */
    private Object poll(long deadline) {
        try {
            return received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Completes when the server ended the stream (or the connection dropped). */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing a stream the server already ended
        }
    }
}
