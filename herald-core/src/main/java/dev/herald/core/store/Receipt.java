package dev.herald.core.store;

import java.util.List;

/**
 * What happened to one message: the message and, per recipient user, its status with timestamps.
 * Topic and broadcast audiences are not enumerated (they change as clients subscribe).
 */
public record Receipt(StoredMessage message, List<Recipient> recipients) {
    public Receipt {
        recipients = List.copyOf(recipients);
    }

    /**
     * One recipient user. Timestamps are ms since the epoch, {@code null} when that step has not happened.
     * {@code status} is {@code EXPIRED} or {@code DROPPED} for a message that ran out before it was acked.
     */
    public record Recipient(String userId, DeliveryStatus status, Long deliveredAt, Long ackedAt, Long readAt) { }
}
