package dev.herald.core.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The transport-independent half of a {@link Session}: identity, binding to a user, the topics it
 * follows, and a close that runs exactly once. A transport extends it with {@link #send} and
 * {@link #closeTransport}.
 *
 * <p>{@link #close} runs the close listener (which removes the session from the hub) before it
 * touches the transport, so the association is gone at once even when the peer never answers the
 * close handshake.
 */
public abstract class BaseSession implements Session {
    private final String id;
    private final String remoteAddress;
    private final Instant connectedAt;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String userId;
    private volatile Protocol protocol = Protocol.HERALD;
    private volatile Runnable closeListener = () -> { };
    private volatile DeliveryListener deliveryListener = id -> { };
    /** Live messages held back while a replay runs (null when none runs); guarded by {@code this}. */
    private volatile List<Held> held;
    private int replayDepth;
    private Set<String> replayedIds;

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

    /** Topics this connection follows; maintained by the hub. */
    public final Set<String> topics() {
        return topics;
    }

    /** Read-only view for presence. */
    public final Set<String> topicsView() {
        return Collections.unmodifiableSet(topics);
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
     * Sends a message's frame. {@code tracked} marks a durable message addressed to this user: its
     * delivery is reported to the {@link DeliveryListener}. While a replay runs the frame is held
     * back and sent after the replayed ones, unless the replay already sent that message.
     */
    public final boolean deliver(String messageId, byte[] frame, boolean tracked) {
        if (held != null) {
            synchronized (this) {
                if (held != null) {
                    if (held.size() >= MAX_HELD) {
                        close(CloseReason.SLOW_CONSUMER);
                        return false;
                    }
                    held.add(new Held(messageId, frame, tracked));
                    return true;
                }
            }
        }
        return tracked ? sendTracked(frame, messageId) : send(frame);
    }

    /** Most live messages held back during one replay before the connection counts as too slow. */
    static final int MAX_HELD = 10_000;

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
     * Starts holding live messages back (subscribe-before-replay: the caller registers for live
     * messages first, then reads the store). Calls nest; each must be matched by {@link #endReplay}.
     */
    public final synchronized void beginReplay() {
        if (replayDepth++ == 0) {
            held = new ArrayList<>();
            replayedIds = new HashSet<>();
        }
    }

    /** Sends one replayed message now (ahead of held live ones). Returns false when it was already sent in this replay. */
    public final boolean replay(String messageId, byte[] frame, boolean tracked) {
        synchronized (this) {
            if (replayedIds == null || !replayedIds.add(messageId)) {
                return false;
            }
        }
        return tracked ? sendTracked(frame, messageId) : send(frame);
    }

    /**
     * Ends one replay; after the last, sends the held live messages the replays did not already send, in order.
     * They are sent <em>before</em> holding stops, under the lock: a live message published meanwhile on
     * another thread waits in {@link #deliver} until they are queued, so it cannot overtake them.
     */
    public final synchronized void endReplay() {
        if (replayDepth == 0 || --replayDepth > 0) {
            return;
        }
        List<Held> pending = held;
        Set<String> sent = replayedIds;
        for (int i = 0; i < pending.size(); i++) { // by index: a re-entrant deliver from inside a send appends here
            Held h = pending.get(i);
            if (!sent.contains(h.messageId)) {
                if (h.tracked) {
                    sendTracked(h.frame, h.messageId);
                } else {
                    send(h.frame);
                }
            }
        }
        held = null;
        replayedIds = null;
    }

    private record Held(String messageId, byte[] frame, boolean tracked) { }

    /** Runs once, on the first close from either side. */
    public final void onClose(Runnable listener) {
        this.closeListener = listener;
    }

    @Override
    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final void close(CloseReason reason) {
        tryClose(reason);
    }

    /** Like {@link #close}, but says whether this call was the one that closed the session. */
    public final boolean tryClose(CloseReason reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        closeListener.run();
        closeTransport(reason);
        return true;
    }

    /** The transport reports that the socket is gone (peer closed, network error). */
    public final void transportClosed() {
        if (closed.compareAndSet(false, true)) {
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
