package dev.herald.core.notify;

import java.util.List;

/**
 * One delivery of one message through one channel to one recipient: the unit that is stored, retried,
 * dead-lettered and reported in receipts.
 *
 * @param id           the delivery id (a ULID; also the dead-letter id and the webhook's {@code webhook-id})
 * @param messageId    the Herald message
 * @param channel      the channel name
 * @param userId       the recipient user, whose contact gives the destination at send time; or {@code null}
 * @param destination  an explicit target (system notifications), or {@code null} to use the user's contact
 * @param content      what to send
 * @param createdAt    when it was recorded, ms since the epoch
 * @param dueAt        when its next attempt (or, for a fallback, its firing) is due
 * @param deadline     after this no further attempt is made, ms since the epoch
 * @param state        where it stands
 * @param attempts     attempts made so far, oldest first (stores may keep only the latest {@link #MAX_KEPT_ATTEMPTS})
 * @param attemptCount how many attempts were made since it was created or last retried from the dead letters
 * @param lastError    the last failure's detail, or {@code null}
 */
public record NotifyJob(String id, String messageId, String channel, String userId, Destination destination,
                        Notification content, long createdAt, long dueAt, long deadline, JobState state,
                        List<Attempt> attempts, int attemptCount, String lastError) {
    /** Attempts kept per delivery (the count goes on; older details are dropped). */
    public static final int MAX_KEPT_ATTEMPTS = 20;

    public NotifyJob {
        attempts = List.copyOf(attempts);
    }

    /**
     * The number of the next attempt: attempts are numbered over the delivery's whole life, so a retried
     * dead letter goes on from its last attempt, while {@link #attemptCount} (the retry budget) starts again.
     */
    public int nextAttemptNumber() {
        int last = attempts.isEmpty() ? 0 : attempts.getLast().number();
        return Math.max(last, attemptCount) + 1;
    }

    /** A new delivery, due at {@code dueAt} ({@code PENDING}) or, for a fallback, waiting for the ack until then. */
    public static NotifyJob create(String id, String messageId, String channel, String userId, Destination destination,
                                   Notification content, long createdAt, long dueAt, long deadline, boolean fallback) {
        return new NotifyJob(id, messageId, channel, userId, destination, content, createdAt, dueAt, deadline,
                fallback ? JobState.WAITING_ACK : JobState.PENDING, List.of(), 0, null);
    }
}
