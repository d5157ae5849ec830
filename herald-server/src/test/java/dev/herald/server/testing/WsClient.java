package dev.herald.server.testing;

import org.awaitility.Awaitility;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real WebSocket client for tests (the JDK's {@link WebSocket}). Collects text frames, records
 * the close code, and can stop reading to play a slow consumer.
 */
public final class WsClient implements WebSocket.Listener {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final List<String> frames = new ArrayList<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean reading = true;
    private WebSocket ws;

    public static WsClient connect(URI uri, Map<String, String> headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        try {
            client.ws = builder.buildAsync(uri, client).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("WebSocket handshake with " + uri + " failed: " + e, e);
        }
        return client;
    }

    /** Like {@link #connect}, but returns the failed handshake's cause instead of throwing. */
    public static Throwable connectFailure(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        try {
            builder.buildAsync(uri, new WsClient()).get(10, TimeUnit.SECONDS).abort();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            synchronized (frames) {
                frames.add(partial.toString());
            }
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        // the JDK client answers pings by itself while it reads; a client that stopped reading
        // stops answering too (as a frozen peer would)
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(-1); // connection dropped without a close frame
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    /**
     * Sends one text message as several frames (continuation frames after the first). A server may close the
     * connection before the last frame (a message over the size limit): the frames after its close are not sent.
     */
    public void sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            try {
                ws.sendText(parts[i], i == parts.length - 1).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (!closeCode.isDone()) {
                    throw e;
                }
                return; // the server closed first; the test reads its close code
            }
        }
    }

    public void sendBinary(byte[] data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** Stops requesting frames: the server's writes back up as with a client that does not read. */
    public void stopReading() {
        reading = false;
    }

    /** Resumes reading everything that is buffered. */
    public void resumeReading() {
        reading = true;
        ws.request(Long.MAX_VALUE);
    }

    public List<String> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** Frames that are not control frames (welcome, pong, subscribed…): message envelopes or raw bodies. */
    public String awaitFrame(Predicate<String> match) {
        Awaitility.await().atMost(WAIT).until(() -> frames().stream().anyMatch(match));
        return frames().stream().filter(match).findFirst().orElseThrow();
    }

    public void awaitFrameCount(Predicate<String> match, int count) {
        Awaitility.await().atMost(WAIT).until(() -> frames().stream().filter(match).count() >= count);
    }

    /** Waits for the server to close the connection and returns the close code (-1: dropped without one). */
    public int awaitClose() {
        try {
            return closeCode.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("connection was not closed by the server within " + WAIT, e);
        }
    }

    /** The close code if the server already closed the connection, else {@code null}. */
    public Integer closeCodeNow() {
        return closeCode.getNow(null);
    }

    /** Whether a frame is a Herald message envelope ({@code {"type":"message",…}}). */
    public static boolean isMessage(String frame) {
        return frame.startsWith("{\"type\":\"message\"");
    }

    /** The ids of the message envelopes received so far, in arrival order. */
    public List<String> messageIds() {
        return frames().stream().filter(WsClient::isMessage).map(WsClient::idOf).toList();
    }

    /** Waits until at least {@code count} message envelopes arrived; returns all their ids in arrival order. */
    public List<String> awaitMessageIds(int count) {
        Awaitility.await().atMost(WAIT).until(() -> messageIds().size() >= count);
        return messageIds();
    }

    /** The {@code "id"} of a message envelope. */
    public static String idOf(String envelope) {
        Matcher m = ID.matcher(envelope);
        if (!m.find()) {
            throw new AssertionError("no id in " + envelope);
        }
        return m.group(1);
    }

    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9A-Z]{26})\"");

    /** Frames that contain {@code needle}. */
    public List<String> framesContaining(String needle) {
        return frames().stream().filter(f -> f.contains(needle)).toList();
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    public void abort() {
        ws.abort();
    }
}
