package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.DeliveryLane;
import dev.herald.server.net.DeliveryLatency;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link dev.herald.core.session.Session} over a WebSocket that Herald runs itself on the Netty channel:
 * after the upgrade a {@link WebSocketFrameHandler} ends the channel's pipeline and feeds this session, and
 * no Vert.x object stays reachable per connection (see {@link WebSocketEndpoint}).
 *
 * <p>{@link #send} may be called from any thread: it appends to a lock-free queue bounded in bytes
 * and asks for one drain on the connection's event loop ({@link EventLoopDrains}: one task runs the
 * drains of many connections), so a burst of messages costs one drain, not one per message. The
 * drain writes while the socket's own buffer has room, flushes once, and otherwise waits until what
 * it wrote has left. When the bytes waiting in the queue would exceed the limit the
 * session is closed with 4008 (slow consumer): memory per connection stays bounded (by the limit
 * plus one frame) and publishers never wait.
 *
 * <p>The closing handshake (RFC 6455 §7) is kept here, on the event loop: once a close frame went out
 * (Herald's own or the echo of the peer's) nothing else is written; after echoing the peer's close the
 * TCP connection is closed at once; after sending its own, Herald waits for the peer's close at most
 * {@link WebSocketOptions#CLOSING_TIMEOUT_SECONDS} before it drops the connection.
 *
 * <p>Open for one kind of extension: a protocol spoken over the same transport (the Pusher endpoint's connections)
 * extends it to share the queue, the drains and the close handshake, and says what its closes look like on the wire
 * ({@link #closeCode}, {@link #closeText}, {@link #lastFrame}).
 */
public class NettySession extends BaseSession implements EventLoopDrains.Drainable {
    /** The socket's Netty channel: the drain writes the frames here itself, so it decides when to flush. */
    private final Channel channel;
    /**
     * Shared completion for the frames nobody waits for: no allocation per write, and a failed write
     * (the socket is gone) is not reported as an exception; the close handler ends the session.
     */
    private final ChannelPromise untracked;
    /** Runs this session's drains on its event loop, batched with the other sessions of that loop. */
    private final EventLoopDrains drains;
    private final long maxQueuedBytes;
    private final HubStats stats;
    /**
     * {@code byte[]} text frames, {@link Tracked} ones whose write is reported as a delivery, {@link DeliveryLatency.Timed}
     * ones whose write is timed, {@link Binary} ones, or
     * {@link Pong}s: the answers to the peer's pings wait in the same bounded queue, so a peer that pings without
     * reading fills its own queue (and is closed with 4008) instead of the server's memory.
     */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /**
     * Bytes waiting in {@link #queue}, and whether a drain is asked for: plain fields updated through
     * {@link #QUEUED_BYTES} and {@link #DRAIN_SCHEDULED} rather than an {@code AtomicLong} and an
     * {@code AtomicBoolean}, which cost two more objects (~40 B) per connection, idle or not.
     */
    private volatile long queuedBytes;
    private volatile boolean drainScheduled;
    private static final VarHandle QUEUED_BYTES;
    private static final VarHandle DRAIN_SCHEDULED;
    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUED_BYTES = lookup.findVarHandle(NettySession.class, "queuedBytes", long.class);
            DRAIN_SCHEDULED = lookup.findVarHandle(NettySession.class, "drainScheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private volatile long lastSeenNanos = System.nanoTime();
    /** Event loop only: a close frame was written (ours or the echo of the peer's); nothing may follow it. */
    private boolean closeSent;
    /** Event loop only: drops the connection if the peer does not answer Herald's close frame in time. */
    private ScheduledFuture<?> closingTimeout;

    /** The event loop this connection lives on (its reads, writes, drains and broadcast lane run there). */
    EventExecutor eventLoop() {
        return channel.eventLoop();
    }

    /** Call on the channel's event loop (the drains of that loop are looked up there). */
    protected NettySession(String id, Channel channel, long maxQueuedBytes, HubStats stats, Instant connectedAt) {
        super(id, addressText(channel.remoteAddress()), connectedAt);
        this.channel = channel;
        this.untracked = new VoidChannelPromise(channel, false);
        this.drains = EventLoopDrains.of(channel);
        this.maxQueuedBytes = maxQueuedBytes;
        this.stats = stats;
    }

    /** {@code host:port}, as Vert.x printed a remote address before (the JDK's form starts with a '/'). */
    static String addressText(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * This connection's event loop as the hub's lane: a broadcast walks each loop's connections on that loop. A walk
     * that runs after a replay of the same message ended is harmless: the session drops a live message at or below
     * the position its replay reached (docs/guarantees.md).
     */
    @Override
    public DeliveryLane lane() {
        return drains.lane();
    }

    /** A frame to send; timed when a sampled {@code /send} request is publishing on this thread ({@link DeliveryLatency}). */
    @Override
    public boolean send(byte[] frame) {
        DeliveryLatency.Probe probe = DeliveryLatency.armed();
        return enqueue(probe == null ? frame : new DeliveryLatency.Timed(frame, probe.startNanos, probe.timer), frame);
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

    /**
     * What a queued pong counts against the queue's limit beyond its payload: the queue node, the record and
     * the array header it costs in memory, so that empty pongs count too.
     */
    static final int PONG_OVERHEAD_BYTES = 64;

    /** Event loop only: queues the answer to a ping ({@code payload}: the ping's, at most 125 bytes), bounded like {@link #send}. */
    boolean sendPong(byte[] payload) {
        return enqueue(new Pong(payload), payload.length + PONG_OVERHEAD_BYTES);
    }

    private record Pong(byte[] payload) { }

    /**
     * How far past {@code ws.send-queue-size} a queue may grow while its socket still takes writes. A connection is
     * slow when its socket is backed up (Netty's outbound buffer past its high-water mark) and the queue is full. A
     * queue that fills while the socket is writable only waits for its event loop to run the drain: a publisher on
     * another core (another loop, the store's commit thread) queued a burst in between. That is not the client's
     * fault, so such a queue gets this much headroom before the connection is closed anyway, which still bounds memory.
     */
    static final int BURST_FACTOR = 4;

    private boolean enqueue(Object item, byte[] frame) {
        return enqueue(item, frame.length);
    }

    private boolean enqueue(Object item, int cost) {
        if (isClosed()) {
            return false;
        }
        long queued = (long) QUEUED_BYTES.getAndAdd(this, (long) cost) + cost;
        // A frame larger than the whole queue is still accepted when nothing else waits: one big
        // message must not brand a fast reader as slow. The bound applies to what piles up.
        if (queued > maxQueuedBytes && queued != cost && (queued > maxQueuedBytes * BURST_FACTOR || !channel.isWritable())) {
            QUEUED_BYTES.getAndAdd(this, (long) -cost);
            if (tryClose(CloseReason.SLOW_CONSUMER)) {
                stats.slowConsumerCloses.increment();
            }
            return false;
        }
        queue.add(item);
        if (DRAIN_SCHEDULED.compareAndSet(this, false, true)) {
            drains.schedule(this);
        }
        return true;
    }

    /**
     * Runs on the event loop: moves queued frames to the socket while it has room, as Netty writes
     * followed by <em>one</em> flush, so a burst queued for this connection leaves in one gathering
     * write ({@code writev}) instead of a system call per frame. The frames are written to the
     * channel without a flush each (a flush is a system call). When the channel's
     * outbound buffer passes its high-water mark the drain stops and resumes once everything written
     * so far has reached the socket.
     */
    @Override
    public void drain() {
        drainScheduled = false;
        if (closeSent) { // after a close frame nothing may follow it
            discardQueue();
            return;
        }
        if (isClosed()) {
            return; // closing: the close task writes what was queued before the close frame, or drops it (sendClose)
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
                if (f.isSuccess() && DRAIN_SCHEDULED.compareAndSet(this, false, true)) {
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
            QUEUED_BYTES.getAndAdd(this, (long) -tracked.frame.length);
            // The promise completes once Netty has written the bytes to the socket: only then is it a delivery.
            channel.write(text(tracked.frame)).addListener(f -> {
                if (f.isSuccess()) {
                    reportDelivered(tracked.messageId);
                }
            });
        } else if (item instanceof DeliveryLatency.Timed timed) {
            QUEUED_BYTES.getAndAdd(this, (long) -timed.frame().length);
            channel.write(text(timed.frame())).addListener(f -> {
                if (f.isSuccess()) {
                    timed.written();
                }
            });
        } else if (item instanceof Pong pong) {
            QUEUED_BYTES.getAndAdd(this, (long) -(pong.payload.length + PONG_OVERHEAD_BYTES));
            channel.write(new PongWebSocketFrame(Unpooled.wrappedBuffer(pong.payload)), untracked);
        } else if (item instanceof Binary binary) {
            QUEUED_BYTES.getAndAdd(this, (long) -binary.frame.length);
            channel.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(binary.frame)), untracked);
        } else {
            byte[] frame = (byte[]) item;
            QUEUED_BYTES.getAndAdd(this, (long) -frame.length);
            channel.write(text(frame), untracked);
        }
    }

    /**
     * Netty's frame encoder copies a text frame of at most this many bytes into one buffer with its header, and sends
     * a larger one as a header buffer and the frame's own bytes ({@code WebSocket08FrameEncoder}'s threshold).
     */
    static final int SMALL_TEXT_FRAME = 1024;

    /**
     * A final text frame as the socket gets it. A small one (most messages: a seed's {@code /send}) is written here,
     * header and bytes, straight into one buffer of the channel's allocator: the same bytes Netty's encoder writes
     * ({@code SmallTextFrameTest}), which lets a {@code ByteBuf} pass, without a frame object, a wrapper and NIO views
     * per message. A larger one goes to that encoder, which sends the shared array itself (wrappedBuffer: no copy,
     * a broadcast frame is encoded once for all recipients). No extension encodes frames (compression is off:
     * {@link WebSocketOptions}), and the server does not mask.
     */
    private Object text(byte[] frame) {
        return frame.length <= SMALL_TEXT_FRAME ? smallText(channel.alloc(), frame)
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame));
    }

    /** {@code payload} (at most {@link #SMALL_TEXT_FRAME} bytes) as one unmasked final text frame. */
    static ByteBuf smallText(ByteBufAllocator alloc, byte[] payload) {
        int length = payload.length;
        ByteBuf out = alloc.buffer((length <= 125 ? 2 : 4) + length);
        out.writeByte(0x81); // FIN, opcode 1 (text)
        if (length <= 125) {
            out.writeByte(length);
        } else {
            out.writeByte(126);
            out.writeShort(length);
        }
        return out.writeBytes(payload);
    }

    private void discardQueue() {
        queue.clear();
        queuedBytes = 0;
    }

    /** Bytes waiting for this connection (for tests and diagnostics). */
    long queuedBytes() {
        return queuedBytes;
    }

    void markSeen() {
        lastSeenNanos = System.nanoTime();
    }

    /** When a frame last arrived from the peer ({@link System#nanoTime}), any frame: data, ping, pong or close. */
    public final long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** Herald's heartbeat: an empty ping (the answer, or any frame, marks the connection seen). Any thread. */
    void ping() {
        channel.eventLoop().execute(() -> {
            if (!isClosed() && !closeSent) {
                channel.writeAndFlush(new PingWebSocketFrame(), untracked);
            }
        });
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        channel.eventLoop().execute(() -> sendClose(reason, false));
    }

    /**
     * Event loop only: writes Herald's close frame (once; nothing is written after it) and then either
     * drops the connection as soon as the frame has left ({@code dropAfter}: the peer broke the protocol,
     * nothing it sends is read any more) or waits for the peer's close; either way the connection is dropped
     * after the closing timeout at the latest (a peer that reads nothing never lets the frame leave).
     *
     * <p>What was queued before the close still goes out ahead of the close frame: the answers to the frames the
     * peer sent before the one that closed it (error frames, pongs), often read in the same TCP read. Only when
     * the peer is not reading ({@link #dropsQueue}) is the queue dropped instead.
     */
    void sendClose(CloseReason reason, boolean dropAfter) {
        if (closeSent || !channel.isActive()) {
            discardQueue();
            if (dropAfter) {
                channel.close(); // the peer broke the protocol while Herald waited for its close: it will not come
            }
            return;
        }
        if (dropsQueue(reason)) {
            discardQueue();
        } else {
            Object item;
            while ((item = queue.poll()) != null) {
                write(item); // bounded by the queue's limit; flushed with the close frame
            }
        }
        byte[] last = lastFrame(reason);
        if (last != null) {
            channel.write(text(last), untracked);
        }
        closeSent = true;
        ChannelFuture written = channel.writeAndFlush(new CloseWebSocketFrame(closeCode(reason), closeText(reason)));
        if (dropAfter) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        closingTimeout = channel.eventLoop().schedule(() -> {
            channel.close();
        }, WebSocketOptions.CLOSING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The close code sent for {@code reason}: Herald's own; a protocol on top maps reasons to its codes. */
    protected int closeCode(CloseReason reason) {
        return reason.code();
    }

    /** The close frame's text for {@code reason} (at most 123 bytes of UTF-8). */
    protected String closeText(CloseReason reason) {
        return reason.reason();
    }

    /**
     * A text frame written just before the close frame, even when the queue is dropped ({@code null}: none). Herald
     * says everything in the close frame; Pusher clients read the reason from a {@code pusher:error} frame.
     */
    protected byte[] lastFrame(CloseReason reason) {
        return null;
    }

    /** Drops the TCP connection at once, without a close frame: what the peer sees of a process that died. Any thread. */
    void abort() {
        channel.close();
    }

    /** Closes for a peer that does not read what it is sent: what waits for it is dropped, not written. */
    private static boolean dropsQueue(CloseReason reason) {
        return reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.TOO_MANY_PINGS
                || reason == CloseReason.HEARTBEAT_TIMEOUT;
    }

    /**
     * Event loop only: closes at once, before anything else is read (what was queued goes first, see
     * {@link #sendClose}).
     */
    void failConnection(CloseReason reason, boolean dropAfter) {
        sendClose(reason, dropAfter);
    }

    /**
     * Event loop only: the peer's close frame ({@code payload}: its status code and reason, possibly empty,
     * already checked by Netty's decoder). Completes the handshake: echoes it when Herald had not sent a
     * close of its own, then closes the TCP connection (the server closes first, RFC 6455 §7.1.1).
     */
    void peerClosed(ByteBuf payload) {
        discardQueue();
        if (closeSent) {
            channel.close();
            return;
        }
        closeSent = true;
        channel.writeAndFlush(new CloseWebSocketFrame(true, 0, payload.retainedDuplicate()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Event loop only: whether a close frame went out; data frames read after it are ignored. */
    boolean closeSent() {
        return closeSent;
    }

    /** Event loop only: the channel is closed; the closing timer, if any, has nothing left to do. */
    void channelClosed() {
        discardQueue();
        if (closingTimeout != null) {
            closingTimeout.cancel(false);
            closingTimeout = null;
        }
    }
}
