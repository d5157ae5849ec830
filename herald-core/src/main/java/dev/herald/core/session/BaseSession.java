package dev.herald.core.session;

import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transport-independent half of a {@link Session}: identity, binding to a user, the topics it
 * follows, the read rule that joins replays to live messages ({@link #cursors()}), and a close that runs
 * exactly once. A transport extends it with {@link #send} and {@link #closeTransport}.
 *
 * <p>{@link #close} runs the close listener (which removes the session from the hub) before it
 * touches the transport, so the association is gone at once even when the peer never answers the
 * close handshake.
 */
public abstract class BaseSession implements Session {
    private final String id;
    private final String remoteAddress;
    private final Instant connectedAt;
    /**
     * Created on the first subscription ({@link #followedTopics}): most connections follow no topic, and an empty
     * concurrent set still costs ~90 B per connection while it waits.
     */
    private volatile Set<String> topics;
    /** Set once, through {@link #CLOSED} (a plain field: an {@code AtomicBoolean} would be one more object per connection). */
    private volatile boolean closed;
    private volatile String userId;
    private volatile Protocol protocol = Protocol.HERALD;
    private volatile Runnable closeListener = () -> { };
    private volatile DeliveryListener deliveryListener = id -> { };
    private volatile StreamCursors cursors;

    protected BaseSession(String id, String remoteAddress, Instant connectedAt) {
        this.id = id;
        this.remoteAddress = remoteAddress;
        this.connectedAt = connectedAt;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String userId() {
        return userId;
    }

    @Override
    public final Protocol protocol() {
        return protocol;
    }

    @Override
    public final String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public final Instant connectedAt() {
        return connectedAt;
    }

    /**
     * The transport thread that owns this session, for fan-out split per thread ({@link DeliveryLane}),
     * or {@code null} (the default): the session is sent to from the publishing thread.
     */
    public DeliveryLane lane() {
        return null;
    }

    /** Binds the connection to a user once it has authenticated. Called once, before the hub sees it. */
    public final void bind(String userId, Protocol protocol) {
        this.userId = userId;
        this.protocol = protocol;
    }

    /** Topics this connection follows; maintained by the hub (an empty set until {@link #followedTopics} made one). */
    public final Set<String> topics() {
        Set<String> set = topics;
        return set == null ? Collections.emptySet() : set;
    }

    /** The set of topics for the hub to add to, made on the first call (concurrent callers get the same one). */
    @SuppressWarnings("unchecked") // the VarHandle is typed Set, the field Set<String>
    public final Set<String> followedTopics() {
        Set<String> set = topics;
        if (set != null) {
            return set;
        }
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        Set<String> won = (Set<String>) TOPICS.compareAndExchange(this, null, fresh);
        return won == null ? fresh : won;
    }

    private static final VarHandle TOPICS;
    private static final VarHandle CLOSED;
    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOPICS = lookup.findVarHandle(BaseSession.class, "topics", Set.class);
            CLOSED = lookup.findVarHandle(BaseSession.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Read-only view for presence. */
    public final Set<String> topicsView() {
        return Collections.unmodifiableSet(topics());
    }

    /** Told when a tracked message (a durable one sent to this user) was written to the socket. */
    @FunctionalInterface
    public interface DeliveryListener {
        void delivered(String messageId);
    }

    public final void onDelivered(DeliveryListener listener) {
        this.deliveryListener = listener;
    }

    /** For transports: report that a tracked frame reached the socket. */
    protected final void reportDelivered(String messageId) {
        deliveryListener.delivered(messageId);
    }

    /**
     * Sends a live message's frame that has no position in the stream it came through (a fire-and-forget message):
     * at once. {@code tracked} marks a durable message addressed to this user: its delivery is reported to the
     * {@link DeliveryListener}.
     */
    public final boolean deliver(String messageId, byte[] frame, boolean tracked) {
        return tracked ? sendTracked(frame, messageId) : send(frame);
    }

    /**
     * Sends a live message's frame that came through {@code stream} at {@code position} ({@code null} when it has
     * none there), by the read rule of {@link StreamCursors}: dropped when the connection has it already, held while
     * a replay of the stream runs, sent otherwise. Returns {@code false} when the connection refused it.
     */
    public final boolean deliver(Target stream, StreamPosition position, String messageId, byte[] frame, boolean tracked) {
        return position == null ? deliver(messageId, frame, tracked) : cursors().live(stream, position, messageId, frame, tracked);
    }

    /**
     * Queues a frame and, once the transport has written it, reports {@code messageId} delivered. This
     * default reports on queueing; transports that know when a write completes override it.
     */
    protected boolean sendTracked(byte[] frame, String messageId) {
        if (send(frame)) {
            reportDelivered(messageId);
            return true;
        }
        return false;
    }

    /**
     * This connection's read rule: per stream, the last position sent, and the live messages waiting behind a
     * replay. Made on first use (most connections never see a positioned message before their login replay).
     */
    public final StreamCursors cursors() {
        StreamCursors c = cursors;
        if (c == null) {
            synchronized (this) {
                c = cursors;
                if (c == null) {
                    c = new StreamCursors(new StreamCursors.Sink() {
                        @Override
                        public boolean send(byte[] frame, String messageId, boolean tracked) {
                            return deliver(messageId, frame, tracked);
                        }

                        @Override
                        public void overflow() {
                            close(CloseReason.SLOW_CONSUMER);
                        }
                    });
                    cursors = c;
                }
            }
        }
        return c;
    }

    /** Runs once, on the first close from either side. */
    public final void onClose(Runnable listener) {
        this.closeListener = listener;
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    @Override
    public final void close(CloseReason reason) {
        tryClose(reason);
    }

    /** Like {@link #close}, but says whether this call was the one that closed the session. */
    public final boolean tryClose(CloseReason reason) {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return false;
        }
        closeListener.run();
        closeTransport(reason);
        return true;
    }

    /** The transport reports that the socket is gone (peer closed, network error). */
    public final void transportClosed() {
        if (CLOSED.compareAndSet(this, false, true)) {
            closeListener.run();
        }
    }

    /** Sends the close frame and releases the socket. Called at most once, from any thread. */
    protected abstract void closeTransport(CloseReason reason);

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + " user=" + userId + " " + remoteAddress + "]";
    }
}
