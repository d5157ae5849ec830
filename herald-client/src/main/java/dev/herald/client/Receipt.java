package dev.herald.client;

import java.util.List;

/**
 * What happened to a stored message ({@code GET /api/v1/messages/{id}}): per recipient user, its in-app
 * status ({@code accepted}, {@code delivered}, {@code acked}, {@code read}, {@code expired}, {@code dropped}),
 * and every delivery through another channel (webhook, e-mail, robots) with its attempts.
 */
public record Receipt(String id, long timestamp, long expiresAt, List<Recipient> recipients, List<Delivery> deliveries) {
    public Receipt {
        recipients = List.copyOf(recipients);
        deliveries = List.copyOf(deliveries);
    }

    public Receipt(String id, long timestamp, long expiresAt, List<Recipient> recipients) {
        this(id, timestamp, expiresAt, recipients, List.of());
    }

    /** Timestamps are ms since the epoch, {@code null} when the step has not happened. */
    public record Recipient(String user, String status, Long deliveredAt, Long ackedAt, Long readAt) { }

    /** The recipient entry of {@code user}, or {@code null}. */
    public Recipient recipient(String user) {
        return recipients.stream().filter(r -> r.user().equals(user)).findFirst().orElse(null);
    }

    /** The deliveries through {@code channel}. */
    public List<Delivery> deliveries(String channel) {
        return deliveries.stream().filter(d -> d.channel().equals(channel)).toList();
    }
}
