package dev.herald.server.sse;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.server.api.ErrorRenderer;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A {@link dev.herald.core.session.Session} over a Server-Sent Events response ({@code GET /api/v1/events}): each
 * Herald frame becomes one event, {@code event: <type>} ({@code message} for messages, {@code herald-error} for
 * {@code error} frames, so that they never reach an {@code EventSource}'s {@code onerror}) with the frame's JSON
 * as its {@code data}, and, when the frame carries stream positions, {@code id:} set to the connection's cursors
 * ({@link LastEventId}). Heartbeats are comment lines.
 *
 * <p><b>Bounded, never blocking.</b> {@link #send} may be called from any thread: it encodes the event, appends it
 * to a queue bounded in bytes ({@code ws.send-queue-size}, the WebSocket's limit) and asks the response's event
 * loop for a drain, which writes while Vert.x's write queue has room and otherwise waits for its drain handler.
 * When the queued bytes pass the limit while the response cannot take more (or pass
 * {@link #BURST_FACTOR} times the limit anyway) the session closes as a slow consumer, counted in
 * {@code slowConsumerCloses}, like a WebSocket with 4008.
 *
 * <p><b>Refusals before the stream.</b> Nothing is written until the first event: a close before any was queued (the per-user
 * cap, a shutdown) is answered as an HTTP error in the JSON envelope instead ({@link #refusal}). A close after it
 * writes a last {@code close} event ({@code {"type":"close","code":…,"reason":…,"reconnect":…}}, the WebSocket close
 * code and whether to reconnect) and ends the response.
 */
final class SseSession extends BaseSession {
    /** How far past the queue limit a burst may go while the response still takes writes (see NettySession). */
    static final int BURST_FACTOR = 4;
    /** Seconds the stream's last bytes may take to leave before the connection is dropped (a WebSocket's closing timeout). */
    static final int CLOSING_TIMEOUT_SECONDS = 5;
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpServerResponse response;
    /** The response's socket: closed when the stream's last bytes cannot leave in time ({@link #end}). */
    private final io.netty.channel.Channel channel;
    private final Context context;
    private final long maxQueuedBytes;
    private final HubStats stats;
    /** Streams dropped because their last bytes did not leave within {@link #CLOSING_TIMEOUT_SECONDS}. */
    private final java.util.concurrent.atomic.LongAdder closingTimeouts;
    /** Guards the queue, the cursors and the byte count: events are queued in the order their ids were computed. */
    private final Object lock = new Object();
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final LastEventId cursors;
    private long queuedBytes;
    private boolean drainScheduled;
    /** Context thread only: the response headers went out (the stream began). */
    private boolean started;
    /** Context thread only: the response ended; nothing more is written. */
    private boolean ended;

    /** One encoded event; {@code messageId} set when its write is a delivery to report. */
    private record Event(byte[] bytes, String messageId) { }

    SseSession(String id, String remoteAddress, Instant connectedAt, HttpServerResponse response,
               io.netty.channel.Channel channel, Context context, long maxQueuedBytes, HubStats stats, LastEventId cursors,
               java.util.concurrent.atomic.LongAdder closingTimeouts) {
        super(id, remoteAddress, connectedAt);
        this.response = response;
        this.channel = channel;
        this.context = context;
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
        this.cursors = cursors;
        this.closingTimeouts = closingTimeouts;
    }

    @Override
    public String transport() {
        return "sse";
    }

    @Override
    public boolean send(byte[] frame) {
        return enqueue(frame, null);
    }

    @Override
    protected boolean sendTracked(byte[] frame, String messageId) {
        return enqueue(frame, messageId);
    }

    /** A comment line: keeps proxies from timing the stream out, and finds a dead peer by a failed write. */
    void heartbeat() {
        if (!isClosed()) {
            enqueueBytes(HEARTBEAT, null);
        }
    }

    private boolean enqueue(byte[] frame, String messageId) {
        if (isClosed()) {
            return false;
        }
        FrameHeader header = FrameHeader.of(frame);
        synchronized (lock) {
            String id = cursors.observe(header) ? cursors.render() : null;
            return enqueueLocked(encode(eventName(header.type()), id, frame), messageId);
        }
    }

    private boolean enqueueBytes(byte[] bytes, String messageId) {
        synchronized (lock) {
            return enqueueLocked(bytes, messageId);
        }
    }

    private boolean enqueueLocked(byte[] bytes, String messageId) {
        long queued = queuedBytes + bytes.length;
        // as for a WebSocket: one event larger than the whole queue still goes when nothing else waits
        if (queued > maxQueuedBytes && queued != bytes.length
                && (queued > maxQueuedBytes * BURST_FACTOR || response.writeQueueFull())) {
            if (tryClose(CloseReason.SLOW_CONSUMER)) {
                stats.slowConsumerCloses.increment();
            }
            return false;
        }
        queuedBytes = queued;
        queue.add(new Event(bytes, messageId));
        if (!drainScheduled) {
            drainScheduled = true;
            context.runOnContext(v -> drain());
        }
        return true;
    }

    /** The SSE event name of a frame type: the type itself, but never {@code error} (EventSource's own failure event). */
    static String eventName(String type) {
        return "error".equals(type) ? "herald-error" : type;
    }

    /**
     * One event: {@code id:} (when given), {@code event:}, and the frame as {@code data:} lines. A frame holds a line
     * break only as JSON whitespace (inside strings they are escaped), which a publisher's pretty-printed payload may
     * have: each line becomes a {@code data:} line of its own, which the client joins back with {@code \n}.
     */
    static byte[] encode(String event, String id, byte[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length + 64 + (id == null ? 0 : id.length()));
        if (id != null) {
            out.writeBytes(("id: " + id + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("event: " + event + "\ndata: ").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < frame.length; i++) {
            byte b = frame[i];
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < frame.length && frame[i + 1] == '\n') {
                    i++;
                }
                out.writeBytes("\ndata: ".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(b);
            }
        }
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Context thread: writes queued events while Vert.x's write queue has room, then waits for it to drain. */
    private void drain() {
        synchronized (lock) {
            drainScheduled = false;
        }
        if (ended || isClosed()) {
            return; // a close writes (or drops) what is queued itself
        }
        start();
        while (!response.writeQueueFull()) {
            Event event;
            synchronized (lock) {
                event = queue.poll();
                if (event == null) {
                    return;
                }
                queuedBytes -= event.bytes.length;
            }
            write(event);
        }
        response.drainHandler(v -> {
            synchronized (lock) {
                if (drainScheduled) {
                    return;
                }
                drainScheduled = true;
            }
            drain();
        });
    }

    private void write(Event event) {
        var written = response.write(Buffer.buffer(event.bytes));
        if (event.messageId != null) {
            written.onSuccess(v -> reportDelivered(event.messageId));
        }
    }

    /** Context thread: sends the stream's headers, once. */
    private void start() {
        if (started) {
            return;
        }
        started = true;
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                // nginx buffers proxied responses unless told not to: events would wait for a full buffer
                .putHeader("X-Accel-Buffering", "no");
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        context.runOnContext(v -> end(reason));
    }

    /** Context thread: ends the response, as an HTTP error when the stream never began, else with a {@code close} event. */
    private void end(CloseReason reason) {
        if (ended) {
            return;
        }
        ended = true;
        boolean nothingQueued;
        synchronized (lock) {
            nothingQueued = queue.isEmpty();
        }
        if (!started && nothingQueued && !response.headWritten()) {
            HeraldException refusal = refusal(reason);
            response.setStatusCode(refusal.code().httpStatus())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                    .end(ErrorRenderer.body(refusal).encode());
            return;
        }
        start();
        if (reason != CloseReason.SLOW_CONSUMER) {
            // what was queued before the close (a kick after a burst) still goes first; a slow reader's queue is dropped
            Event event;
            while (true) {
                synchronized (lock) {
                    event = queue.poll();
                }
                if (event == null) {
                    break;
                }
                write(event);
            }
        }
        synchronized (lock) {
            queue.clear();
            queuedBytes = 0;
        }
        byte[] close = ("{\"type\":\"close\",\"code\":" + reason.code() + ",\"reason\":" + JsonText.quote(reason.reason())
                + ",\"reconnect\":" + reason.reconnect() + "}").getBytes(StandardCharsets.UTF_8);
        var ended = response.end(Buffer.buffer(encode("close", null, close)));
        // a peer that reads nothing never lets the end leave: its connection is dropped after the closing timeout, as a
        // WebSocket's is, so that it holds no socket
        long timer = context.owner().setTimer(TimeUnit.SECONDS.toMillis(CLOSING_TIMEOUT_SECONDS), t -> {
            closingTimeouts.increment();
            channel.close();
        });
        ended.onComplete(v -> context.owner().cancelTimer(timer));
    }

    /** The HTTP answer to a close before the stream began. */
    static HeraldException refusal(CloseReason reason) {
        return switch (reason) {
            case TOO_MANY_CONNECTIONS -> ErrorCode.TOO_MANY_USER_CONNECTIONS.exception(
                    "this user holds its maximum of connections (ws.max-connections-per-user); close another one first");
            case UNAUTHORIZED -> ErrorCode.UNAUTHORIZED.exception("the token was refused");
            case FORBIDDEN -> ErrorCode.FORBIDDEN.exception("this login is not allowed");
            case GOING_AWAY -> ErrorCode.SHUTTING_DOWN.exception();
            default -> ErrorCode.INTERNAL_ERROR.exception("the stream could not start (" + reason.reason() + ")");
        };
    }

    /** Drops the TCP connection at once, without a {@code close} event: what the peer sees of a process that died. Any thread. */
    void abort() {
        channel.close();
    }

    /** Context thread: the peer went away (the connection closed); nothing more is written. */
    void responseClosed() {
        ended = true;
        synchronized (lock) {
            queue.clear();
            queuedBytes = 0;
        }
        transportClosed();
    }

    /** Bytes waiting for this stream (for tests and diagnostics). */
    long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
    }
}
