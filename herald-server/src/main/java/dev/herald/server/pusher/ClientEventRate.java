package dev.herald.server.pusher;

/**
 * Pusher's limit on client events: at most {@value #PER_SECOND} per connection per second (a fixed one-second window).
 * Used from the connection's event loop only; not thread-safe.
 */
final class ClientEventRate {
    static final int PER_SECOND = 10;
    private long windowStartNanos = System.nanoTime();
    private int inWindow;

    /** Counts one event; {@code false} when it is over the limit (and must be refused). */
    boolean tryAcquire(long nowNanos) {
        if (nowNanos - windowStartNanos >= 1_000_000_000L) {
            windowStartNanos = nowNanos;
            inWindow = 0;
        }
        return ++inWindow <= PER_SECOND;
    }
}
