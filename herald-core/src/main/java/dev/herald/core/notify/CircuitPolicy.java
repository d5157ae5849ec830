package dev.herald.core.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * When an endpoint's circuit breaker opens and for how long ({@link CircuitBreaker}).
 *
 * @param failureThreshold consecutive {@code RETRY} outcomes that open the circuit ({@code >= 1})
 * @param firstCooldown    how long it stays open the first time
 * @param maxCooldown      the longest it stays open: the cooldown doubles each time a half-open trial fails,
 *                         up to this
 */
public record CircuitPolicy(int failureThreshold, Duration firstCooldown, Duration maxCooldown) {
    /** Five in a row: one or two failures are noise, five means the endpoint is down or overloaded. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 5;
    /** Half a minute: long enough for a restart, short enough that recovery is noticed quickly. */
    public static final Duration DEFAULT_FIRST_COOLDOWN = Duration.ofSeconds(30);
    /** Ten minutes, as the retry policy's largest backoff: a long outage costs one trial per ten minutes. */
    public static final Duration DEFAULT_MAX_COOLDOWN = Duration.ofMinutes(10);

    public static final CircuitPolicy DEFAULT = new CircuitPolicy(DEFAULT_FAILURE_THRESHOLD, DEFAULT_FIRST_COOLDOWN,
            DEFAULT_MAX_COOLDOWN);

    public CircuitPolicy {
        Objects.requireNonNull(firstCooldown, "firstCooldown");
        Objects.requireNonNull(maxCooldown, "maxCooldown");
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("circuit failureThreshold must be >= 1, was " + failureThreshold);
        }
        if (firstCooldown.isNegative() || firstCooldown.isZero()) {
            throw new IllegalArgumentException("circuit firstCooldown must be positive, was " + firstCooldown);
        }
        if (maxCooldown.compareTo(firstCooldown) < 0) {
            throw new IllegalArgumentException("circuit maxCooldown (" + maxCooldown + ") must be at least firstCooldown ("
                    + firstCooldown + ")");
        }
    }
}
