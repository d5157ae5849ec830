package dev.herald.core.notify;

import java.util.Locale;

/** Where one channel delivery stands. */
public enum JobState {
    /** Waiting for its next attempt (at {@link NotifyJob#dueAt()}). */
    PENDING,
    /** A fallback: fires at {@link NotifyJob#dueAt()} unless the user acks the in-app message first. */
    WAITING_ACK,
    /** Delivered. Final. */
    SENT,
    /** Failed for good (permanent error, attempts or deadline exhausted): a dead letter, until retried or deleted. */
    DEAD,
    /** A fallback the user's ack made unnecessary. Final. */
    CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SENT || this == CANCELLED;
    }
}
