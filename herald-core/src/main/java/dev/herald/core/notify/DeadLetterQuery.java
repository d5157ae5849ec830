package dev.herald.core.notify;

/**
 * A page of dead letters, newest first. Every filter is optional ({@code null}).
 *
 * @param channel   only this channel
 * @param userId    only this recipient
 * @param messageId only this message
 * @param beforeId  the page after this id (the previous page's last id)
 * @param limit     at most this many (1–500)
 */
public record DeadLetterQuery(String channel, String userId, String messageId, String beforeId, int limit) {
    public static final int MAX_LIMIT = 500;

    public DeadLetterQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT);
        }
    }
}
