package dev.herald.server.config;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's file-descriptor limit, which bounds how many sockets Herald can hold: every connection
 * is one descriptor, and so is every file, store connection and outbound HTTP or SMTP call. Read from
 * the JVM ({@code RLIMIT_NOFILE}, the soft limit, which is the one accept(2) fails against).
 */
public final class FileDescriptors {
    /**
     * Descriptors the default {@code ws.max-connections} leaves for everything but WebSockets: the JVM's
     * own (~25: jars, epoll and event fds of the event loops), the store, HTTP API calls, outbound webhook,
     * robot and SMTP calls, and the transient socket that answers a refused upgrade. A limit of 20,000
     * then allows 19,900 WebSockets.
     */
    public static final int RESERVE = 100;

    private FileDescriptors() {
    }

    /** The limit on open descriptors, or -1 where the JVM cannot tell (not a Unix). */
    public static long limit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Descriptors open now, or -1 where the JVM cannot tell. */
    public static long open() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }

    /**
     * The default cap on WebSocket connections for a descriptor limit: the limit minus {@link #RESERVE}
     * (half the limit when it is tiny), and {@link Integer#MAX_VALUE} (no cap) when the limit is unknown.
     */
    public static int defaultMaxConnections(long limit) {
        if (limit <= 0) {
            return Integer.MAX_VALUE;
        }
        long reserve = Math.min(RESERVE, limit / 2);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, limit - reserve));
    }
}
