package dev.herald.server.net;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.FastThreadLocal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code herald.send.delivery.latency}: the time from a {@code /send} request read (its publish about to start) to
 * its frame written to the recipient's socket, measured inside the server, for the seed's personal messages sent
 * without the store ({@code persist=false}) to connected users.
 *
 * <p>Cheap enough for the hottest path: one request in {@link #SAMPLE_EVERY} per event loop is timed (a counter on
 * the others, no clock read), and only its frames carry a start time and a write listener. The request and the
 * queueing of its frames run on the same event loop, one after the other, so the start travels in a thread-local
 * of that loop ({@link #begin} before the publish, {@link #end} after it), read by the WebSocket session ({@code ws.NettySession}) as it queues
 * a frame. Frames queued by any other thread (the store's, a broadcast lane) are never timed.
 */
public final class DeliveryLatency {
    /** One request in this many is timed, per event loop. */
    public static final int SAMPLE_EVERY = 16;

    private static final FastThreadLocal<Probe> PROBE = new FastThreadLocal<>() {
        @Override
        protected Probe initialValue() {
            return new Probe();
        }
    };

    /** The request being published on this thread, when it is a timed one. */
    public static final class Probe {
        private int countdown = 1;
        public long startNanos;
        public Timer timer;
    }

    private final Timer timer;

    public DeliveryLatency(MeterRegistry registry) {
        this.timer = Timer.builder("herald.send.delivery.latency")
                .description("Time from a /send request read to its frame written to the recipient's socket "
                        + "(persist=false to connected users; one request in " + SAMPLE_EVERY + " per event loop)")
                // buckets from 10 µs: a delivery here takes tenths of a millisecond, below Micrometer's default 1 ms floor;
                // the two targets of the performance issue (p50 0.3 ms, p99 2 ms) are bucket bounds of their own
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .serviceLevelObjectives(Duration.ofNanos(300_000), Duration.ofMillis(2))
                .register(registry);
    }

    /** Before a request's publish, on its event loop: arms the probe when this request is one of the timed ones. */
    public void begin() {
        Probe probe = PROBE.get();
        if (--probe.countdown <= 0) {
            probe.countdown = SAMPLE_EVERY;
            probe.startNanos = System.nanoTime();
            probe.timer = timer;
        }
    }

    /** After the publish returned (its frames are queued): nothing else on this thread is timed. */
    public static void end() {
        PROBE.get().timer = null;
    }

    /** The armed probe of the request publishing on this thread, or null (most requests, any other thread). */
    public static Probe armed() {
        Probe probe = PROBE.get();
        return probe.timer == null ? null : probe;
    }

    /** A frame of a timed request: recorded once written to the socket. */
    public record Timed(byte[] frame, long startNanos, Timer timer) {
        public void written() {
            timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }
}
