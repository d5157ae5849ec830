package dev.herald.core.testing;

import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written in-memory session: records every frame it accepts and the close reason, and can
 * be told to refuse sends (as a full queue would) without closing.
 */
public final class FakeSession extends BaseSession {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final List<String> frames = new ArrayList<>();
    private volatile boolean refuse;
    private volatile CloseReason closeReason;
    private final AtomicInteger closeTransportCalls = new AtomicInteger();

    public FakeSession() {
        this("fake-" + SEQ.incrementAndGet());
    }

    public FakeSession(String id) {
        super(id, "127.0.0.1:1", Instant.now());
    }

    /** A session already bound to {@code userId} with the given protocol (as ClientConnection would do). */
    public static FakeSession bound(String userId, Protocol protocol) {
        FakeSession s = new FakeSession();
        s.bind(userId, protocol);
        return s;
    }

    public static FakeSession herald(String userId) {
        return bound(userId, Protocol.HERALD);
    }

    public static FakeSession seed(String userId) {
        return bound(userId, Protocol.SEED);
    }

    /** From now on {@link #send} returns {@code false} (as a full or closed transport would). */
    public FakeSession refuseSends() {
        refuse = true;
        return this;
    }

    @Override
    public boolean send(byte[] frame) {
        if (refuse || isClosed()) {
            return false;
        }
        synchronized (frames) {
            frames.add(new String(frame, StandardCharsets.UTF_8));
        }
        return true;
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        closeReason = reason;
        closeTransportCalls.incrementAndGet();
    }

    public List<String> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    public String lastFrame() {
        List<String> f = frames();
        if (f.isEmpty()) {
            throw new AssertionError("session " + id() + " received no frame");
        }
        return f.get(f.size() - 1);
    }

    /** The reason the session was closed with, or {@code null} if it is open (or closed by the peer). */
    public CloseReason closeReason() {
        return closeReason;
    }

    public int closeTransportCalls() {
        return closeTransportCalls.get();
    }
}
