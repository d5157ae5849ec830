package dev.herald.core.store;

import dev.herald.core.notify.NotifyJob;

import java.util.List;

/**
 * What happened to one message: the message and, per recipient user, its in-app status with timestamps;
 * and its deliveries through other channels (e-mail, webhooks…) with their attempts. Topic and broadcast
 * audiences are not enumerated (they change as clients subscribe).
 */
public record Receipt(StoredMessage message, List<Recipient> recipients, List<NotifyJob> deliveries) {
    public Receipt {
        recipients = List.copyOf(recipients);
        deliveries = List.copyOf(deliveries);
    }

    /** The in-app part alone (what a message store knows). */
    public Receipt(StoredMessage message, List<Recipient> recipients) {
        this(message, recipients, List.of());
    }

    public Receipt withDeliveries(List<NotifyJob> deliveries) {
        return new Receipt(message, recipients, deliveries);
    }

    /**
     * One recipient user. Timestamps are ms since the epoch, {@code null} when that step has not happened.
     * {@code status} is {@code EXPIRED} or {@code DROPPED} for a message that ran out before it was acked.
     */
    public record Recipient(String userId, DeliveryStatus status, Long deliveredAt, Long ackedAt, Long readAt) { }
}
