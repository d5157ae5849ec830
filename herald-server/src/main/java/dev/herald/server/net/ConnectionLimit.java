package dev.herald.server.net;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-node cap on connections ({@code ws.max-connections}), so that a node runs out of slots before
 * it runs out of file descriptors: once accept(2) fails with EMFILE, clients wait in the kernel's backlog
 * with no answer, and the store, outbound calls and {@code /health} fail with it.
 * <p>
 * Two checks. At the upgrade, a WebSocket beyond the cap is refused with {@code 503 too_many_connections}
 * (cheap: no session, no upgrade, and the socket is closed after the answer). At accept, when
 * {@link #HTTP_HEADROOM} more than the cap are already open (room for HTTP API calls and for answering
 * refused upgrades, but no more), the oldest socket waiting for a request is evicted to make room, or (none)
 * the new connection is closed at once: idle sockets that never send a request cannot eat the descriptors,
 * nor lock out {@code /health}. Both are counted, and logged at most once per {@link #LOG_INTERVAL_SECONDS}.
 * Thread-safe: every event loop calls it.
 */
public final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    /** TCP connections allowed beyond the WebSocket cap: HTTP API calls and refused upgrades being answered. */
    public static final int HTTP_HEADROOM = 50;
    public static final int LOG_INTERVAL_SECONDS = 10;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS);

    private final int maxWebSockets;
    private final int maxTcpConnections;
    private final AtomicInteger webSockets = new AtomicInteger();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private final LongAdder refusedAtUpgrade = new LongAdder();
    private final LongAdder refusedAtAccept = new LongAdder();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong refusedSinceLog = new AtomicLong();

    public ConnectionLimit(int maxWebSockets) {
        if (maxWebSockets < 1) {
            throw new IllegalArgumentException("maxWebSockets must be at least 1");
        }
        this.maxWebSockets = maxWebSockets;
        this.maxTcpConnections = (int) Math.min(Integer.MAX_VALUE, (long) maxWebSockets + HTTP_HEADROOM);
    }

    /**
     * Takes a WebSocket slot; null (and counted) when all {@code ws.max-connections} are taken. The caller owns
     * the slot and must end every path of its connection with {@link ConnectionSlot#release}.
     */
    public ConnectionSlot tryAcquireWebSocket() {
        int now;
        do {
            now = webSockets.get();
            if (now >= maxWebSockets) {
                refusedAtUpgrade.increment();
                refused("WebSocket upgrade(s) answered 503 too_many_connections");
                return null;
            }
        } while (!webSockets.compareAndSet(now, now + 1));
        return new ConnectionSlot(this);
    }

    /** Gives back a slot taken by {@link #tryAcquireWebSocket}; only {@link ConnectionSlot#release} calls it, once. */
    void giveBack() {
        webSockets.decrementAndGet();
    }

    /**
     * A TCP connection was accepted: counts it until its channel closes, or closes it right away when
     * {@code ws.max-connections} + {@link #HTTP_HEADROOM} are open. Returns whether it was admitted.
     */
    public boolean admit(Channel channel) {
        return admit(channel, () -> false);
    }

    /**
     * {@link #admit(Channel)}, but at the cap {@code evictIdle} may first close an idle connection (one waiting for
     * a request) to make room: then this one is admitted, and the count exceeds the cap only until that close
     * completes, a moment later. So sockets that never send a request cannot lock out a real one.
     */
    public boolean admit(Channel channel, java.util.function.BooleanSupplier evictIdle) {
        if (tcpConnections.incrementAndGet() > maxTcpConnections && !evictIdle.getAsBoolean()) {
            tcpConnections.decrementAndGet();
            refusedAtAccept.increment();
            refused("TCP connection(s) closed at accept");
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> tcpConnections.decrementAndGet());
        return true;
    }

    /** Logs the first refusal, then at most one line (with the count) per interval: no flood under overload. */
    private void refused(String what) {
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            long reported = refusedSinceLog.getAndSet(0);
            log.warn("ws.max-connections ({}) reached: {} connection(s) refused since the last report (latest: {}); "
                            + "{} WebSockets and {} TCP connections open; next report in {}s at the earliest",
                    maxWebSockets, reported, what, webSockets.get(), tcpConnections.get(), LOG_INTERVAL_SECONDS);
        }
    }

    public int maxWebSockets() {
        return maxWebSockets;
    }

    public int webSockets() {
        return webSockets.get();
    }

    public int tcpConnections() {
        return tcpConnections.get();
    }

    /** WebSocket upgrades answered 503 too_many_connections. */
    public LongAdder refusedAtUpgrade() {
        return refusedAtUpgrade;
    }

    /** TCP connections closed at accept (more than the cap plus the HTTP headroom open). */
    public LongAdder refusedAtAccept() {
        return refusedAtAccept;
    }
}
