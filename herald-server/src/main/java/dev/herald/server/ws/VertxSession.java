package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link dev.herald.core.session.Session} over a Vert.x {@link ServerWebSocket}.
 *
 * <p>{@link #send} may be called from any thread: it appends to a lock-free queue bounded in bytes
 * and schedules one drain task on the connection's event loop, so a burst of messages costs one
 * task, not one per message. The drain writes while the socket's own buffer has room and otherwise
 * waits for the drain handler. When the bytes waiting in the queue would exceed the limit the
 * session is closed with 4008 (slow consumer): memory per connection stays bounded (by the limit
 * plus one frame) and publishers never wait.
 */
final class VertxSession extends BaseSession {
    private static final Buffer EMPTY = Buffer.buffer();

    private final ServerWebSocket ws;
    private final Context context;
    private final long maxQueuedBytes;
    private final HubStats stats;
    /** {@code byte[]} text frames, {@link Tracked} ones whose write is reported as a delivery, or {@link Binary} ones. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile long lastSeenNanos = System.nanoTime();

    VertxSession(String id, ServerWebSocket ws, Context context, long maxQueuedBytes, HubStats stats, Instant connectedAt) {
        super(id, String.valueOf(ws.remoteAddress()), connectedAt);
        this.ws = ws;
        this.context = context;
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
    }

    @Override
    public boolean send(byte[] frame) {
        return enqueue(frame, frame);
    }

    /** A durable message for this user: reported delivered once Netty has written it to the socket. */
    @Override
    protected boolean sendTracked(byte[] frame, String messageId) {
        return enqueue(new Tracked(frame, messageId), frame);
    }

    private record Tracked(byte[] frame, String messageId) { }

    /**
     * Queues a binary frame, bounded and ordered like {@link #send}. Herald never sends binary; this is
     * for the conformance echo server, which must echo the binary messages of the Autobahn suite
     * through the same queue as text.
     */
    boolean sendBinary(byte[] frame) {
        return enqueue(new Binary(frame), frame);
    }

    private record Binary(byte[] frame) { }

    private boolean enqueue(Object item, byte[] frame) {
        if (isClosed()) {
            return false;
        }
        long queued = queuedBytes.addAndGet(frame.length);
        // A frame larger than the whole queue is still accepted when nothing else waits: one big
        // message must not brand a fast reader as slow. The bound applies to what piles up.
        if (queued > maxQueuedBytes && queued != frame.length) {
            queuedBytes.addAndGet(-frame.length);
            if (tryClose(CloseReason.SLOW_CONSUMER)) {
                stats.slowConsumerCloses.increment();
            }
            return false;
        }
        queue.add(item);
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
        return true;
    }

    /** Runs on the event loop: moves queued frames to the socket while it has room. */
    private void drain() {
        drainScheduled.set(false);
        if (isClosed()) {
            discardQueue();
            return;
        }
        Object item;
        while (!ws.writeQueueFull() && (item = queue.poll()) != null) {
            if (item instanceof Tracked tracked) {
                queuedBytes.addAndGet(-tracked.frame.length);
                ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, tracked.frame, true))
                        .onSuccess(v -> reportDelivered(tracked.messageId));
            } else if (item instanceof Binary binary) {
                queuedBytes.addAndGet(-binary.frame.length);
                ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.BINARY, binary.frame, true));
            } else {
                byte[] frame = (byte[]) item;
                queuedBytes.addAndGet(-frame.length);
                ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame, true));
            }
        }
        if (!queue.isEmpty()) {
            ws.drainHandler(v -> {
                ws.drainHandler(null);
                if (drainScheduled.compareAndSet(false, true)) {
                    drain();
                }
            });
        }
    }

    private void discardQueue() {
        queue.clear();
        queuedBytes.set(0);
    }

    /** Bytes waiting for this connection (for tests and diagnostics). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    void markSeen() {
        lastSeenNanos = System.nanoTime();
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    void ping() {
        context.runOnContext(v -> {
            if (!isClosed()) {
                ws.writePing(EMPTY);
            }
        });
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        context.runOnContext(v -> {
            discardQueue();
            if (!ws.isClosed()) {
                ws.close((short) reason.code(), reason.reason());
            }
        });
    }
}
