package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.DeliveryLane;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link dev.herald.core.session.Session} over a Vert.x {@link ServerWebSocket}.
 *
 * <p>{@link #send} may be called from any thread: it appends to a lock-free queue bounded in bytes
 * and asks for one drain on the connection's event loop ({@link EventLoopDrains}: one task runs the
 * drains of many connections), so a burst of messages costs one drain, not one per message. The
 * drain writes while the socket's own buffer has room, flushes once, and otherwise waits until what
 * it wrote has left. When the bytes waiting in the queue would exceed the limit the
 * session is closed with 4008 (slow consumer): memory per connection stays bounded (by the limit
 * plus one frame) and publishers never wait.
 */
final class VertxSession extends BaseSession implements EventLoopDrains.Drainable {
    private static final Buffer EMPTY = Buffer.buffer();

    private final ServerWebSocket ws;
    /** The socket's Netty channel: the drain writes the frames here itself, so it decides when to flush. */
    private final Channel channel;
    /**
     * Shared completion for the frames nobody waits for: no allocation per write, and a failed write
     * (the socket is gone) is not reported as an exception; the close handler ends the session.
     */
    private final ChannelPromise untracked;
    private final Context context;
    /** Runs this session's drains on its event loop, batched with the other sessions of that loop. */
    private final EventLoopDrains drains;
    private final long maxQueuedBytes;
    private final HubStats stats;
    /** {@code byte[]} text frames, {@link Tracked} ones whose write is reported as a delivery, or {@link Binary} ones. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile long lastSeenNanos = System.nanoTime();

    /** The event loop this connection lives on (its reads, writes, drains and broadcast lane run there). */
    EventExecutor eventLoop() {
        return channel.eventLoop();
    }

    VertxSession(String id, ServerWebSocket ws, Channel channel, Context context, long maxQueuedBytes, HubStats stats,
                 Instant connectedAt) {
        super(id, String.valueOf(ws.remoteAddress()), connectedAt);
        this.ws = ws;
        this.channel = channel;
        this.untracked = new VoidChannelPromise(channel, false);
        this.drains = EventLoopDrains.of(channel);
        this.context = context;
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
    }

    /** None for now (see below): deliveries are walked on the publishing thread; drains run on the connection's loop. */
    @Override
    public DeliveryLane lane() {
        // No lane: the hub walks this session on the publishing thread, inside the store's completion for
        // durable messages. A broadcast handed to the session's loop as a later task ran after a concurrent
        // replay of the same message had ended, so the client got it twice (ReplayThenLiveOrderTest, several
        // loops), and a deferred personal delivery counted as "queued" (202). The lanes stay for when that
        // replay/live seam covers deferred walks; EventLoopDrains still batches the drains per loop.
        return null;
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
            drains.schedule(this);
        }
        return true;
    }

    /**
     * Runs on the event loop: moves queued frames to the socket while it has room, as Netty writes
     * followed by <em>one</em> flush, so a burst queued for this connection leaves in one gathering
     * write ({@code writev}) instead of a system call per frame. The frames are written to the
     * channel directly, not through {@link ServerWebSocket#writeFrame}, which flushes every frame
     * when called on the event loop (and costs a lock and a Vert.x promise each). When the channel's
     * outbound buffer passes its high-water mark the drain stops and resumes once everything written
     * so far has reached the socket.
     */
    @Override
    public void drain() {
        drainScheduled.set(false);
        if (isClosed() || ws.isClosed()) { // after Vert.x sent a close frame nothing may follow it
            discardQueue();
            return;
        }
        boolean wrote = false;
        boolean full = false;
        Object item;
        while (true) {
            if (!channel.isWritable()) {
                full = true;
                break;
            }
            if ((item = queue.poll()) == null) {
                break;
            }
            write(item);
            wrote = true;
        }
        if (full) {
            // An empty buffer passes the frame encoder untouched; its promise completes when every
            // earlier write has reached the socket, in order. The next drain runs as a task of its own,
            // not inside Netty's flush that completes the promise (no nesting, however long the queue).
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (f.isSuccess() && drainScheduled.compareAndSet(false, true)) {
                    drains.schedule(this);
                }
            });
        } else if (wrote) {
            channel.flush();
        }
    }

    /** Writes one queued frame without flushing. */
    private void write(Object item) {
        if (item instanceof Tracked tracked) {
            queuedBytes.addAndGet(-tracked.frame.length);
            // The promise completes once Netty has written the bytes to the socket: only then is it a delivery.
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(tracked.frame))).addListener(f -> {
                if (f.isSuccess()) {
                    reportDelivered(tracked.messageId);
                }
            });
        } else if (item instanceof Binary binary) {
            queuedBytes.addAndGet(-binary.frame.length);
            channel.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(binary.frame)), untracked);
        } else {
            byte[] frame = (byte[]) item;
            queuedBytes.addAndGet(-frame.length);
            // wrappedBuffer shares the array, no copy: a broadcast frame is encoded once for all recipients.
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), untracked);
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
