package dev.herald.core.session;

import java.time.Instant;
import java.util.Collections;
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
