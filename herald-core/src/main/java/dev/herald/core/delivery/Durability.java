package dev.herald.core.delivery;

import java.time.Duration;

/**
 * How long stored messages wait for their recipients.
 *
 * @param defaultTtl the TTL of a message that names none
 * @param maxTtl     the longest TTL a publisher may ask for
 */
public record Durability(Duration defaultTtl, Duration maxTtl) {
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);

    public static Durability defaults() {
        return new Durability(DEFAULT_TTL, DEFAULT_MAX_TTL);
    }
}
