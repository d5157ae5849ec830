package dev.herald.server.net;

import dev.herald.core.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs refused WebSocket origins at WARN, naming the setting that decides ({@code ws.allowed-origins}): a
 * refused upgrade is otherwise invisible to whoever runs the page (browsers hide its answer, the page sees
 * close code 1006). At most one line per {@link #LOG_INTERVAL_SECONDS}, the first one at once, each counting
 * the refusals it stands for, so a flood of upgrades cannot fill the log. Thread-safe.
 */
public final class OriginRefusals {
    private static final Logger log = LoggerFactory.getLogger(OriginRefusals.class);
    /** Seconds between two WARN lines about refused origins. */
    static final int LOG_INTERVAL_SECONDS = 10;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS);

    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong sinceLog = new AtomicLong();

    /** One refused upgrade; {@code origin} is the client's header, logged with its control characters replaced. */
    public void refused(String origin, SocketAddress from) {
        sinceLog.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            log.warn("refused a WebSocket from origin {} ({}): add it to ws.allowed-origins if it is yours; "
                            + "{} origin refusal(s) since the last report, next report in {}s at the earliest",
                    LogSafe.quoted(origin), from, sinceLog.getAndSet(0), LOG_INTERVAL_SECONDS);
        } else {
            log.debug("refused a WebSocket from origin {} ({})", LogSafe.quoted(origin), from);
        }
    }
}
