package dev.herald.core.store;

import java.time.Duration;

/**
 * Retention rules every store applies.
 *
 * @param streamCap        messages kept per stream (a user's inbox, a topic, the broadcast log); the oldest are dropped first
 * @param receiptRetention how long a message and its receipts stay readable after its TTL ran out; also the
 *                         minimum time an idempotency key is remembered
 */
public record StoreLimits(int streamCap, Duration receiptRetention) {
    public static final int DEFAULT_STREAM_CAP = 1_000;
    public static final Duration DEFAULT_RECEIPT_RETENTION = Duration.ofHours(24);

    public StoreLimits {
        if (streamCap < 1) {
            throw new IllegalArgumentException("streamCap must be positive: " + streamCap);
        }
    }

    public static StoreLimits defaults() {
        return new StoreLimits(DEFAULT_STREAM_CAP, DEFAULT_RECEIPT_RETENTION);
    }
}
