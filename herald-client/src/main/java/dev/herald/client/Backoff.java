package dev.herald.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter, as docs/protocol.md advises: the n-th retry waits
 * {@code min(max, initial · 2^n)} less a random share {@code jitter} of it (1 = full jitter), so a restarting node is
 * not hit by all its clients at once. A connection that stayed up {@code resetAfter} starts the next retries over.
 *
 * @param initial    first retry waits up to this long
 * @param max        cap of the exponential growth
 * @param jitter     0 (none) to 1 (wait random(0, delay))
 * @param resetAfter uptime after which the attempt count starts over
 */
public record Backoff(Duration initial, Duration max, double jitter, Duration resetAfter) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 1, Duration.ofMinutes(1));

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max and jitter in [0, 1]");
        }
    }

    /** The wait before retry {@code attempt} (0 for the first retry), with {@code random} in [0, 1). */
    Duration delay(int attempt, DoubleSupplier random) {
        double ceiling = Math.min(max.toMillis(), initial.toMillis() * Math.pow(2, Math.min(attempt, 30)));
        return Duration.ofMillis(Math.round(ceiling * (1 - jitter * random.getAsDouble())));
    }
}
