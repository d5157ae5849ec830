package dev.herald.core.store;

/**
 * Moves one recipient's status forward ({@code DELIVERED}, {@code ACKED} or {@code READ}). A status
 * never moves back, and an update for a user who is not a recipient of the message changes nothing.
 *
 * @param at when it happened, ms since the epoch
 */
public record StatusUpdate(String messageId, String userId, DeliveryStatus status, long at) {
    public StatusUpdate {
        if (status != DeliveryStatus.DELIVERED && status != DeliveryStatus.ACKED && status != DeliveryStatus.READ) {
            throw new IllegalArgumentException("a status update is delivered, acked or read, not " + status);
        }
    }
}
