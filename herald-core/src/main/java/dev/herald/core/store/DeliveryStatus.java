package dev.herald.core.store;

import java.util.Locale;

/**
 * Where one message stands for one recipient user. The first four only move forward
 * (accepted → delivered → acked → read); {@code EXPIRED} and {@code DROPPED} are final states a
 * message reaches instead of being acked: its TTL ran out, or the inbox cap pushed it out.
 */
public enum DeliveryStatus {
    /** Committed to the store; not yet written to any of the user's connections. */
    ACCEPTED,
    /** Written to at least one of the user's connections. */
    DELIVERED,
    /** A client of the user acknowledged it ({@code {"type":"ack"}}). */
    ACKED,
    /** A client of the user reported it as read ({@code {"type":"read"}}). */
    READ,
    /** Its TTL ran out before it was acked. */
    EXPIRED,
    /** The user's inbox cap pushed it out before it was acked. */
    DROPPED;

    /** The lower-case wire name used in receipts and webhooks. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The forward-moving rank of the first four states (used by stores; {@code EXPIRED}/{@code DROPPED} have none). */
    public int rank() {
        return switch (this) {
            case ACCEPTED -> 0;
            case DELIVERED -> 1;
            case ACKED -> 2;
            case READ -> 3;
            default -> throw new IllegalStateException(this + " is not a stored rank");
        };
    }

    public static DeliveryStatus ofRank(int rank) {
        return switch (rank) {
            case 0 -> ACCEPTED;
            case 1 -> DELIVERED;
            case 2 -> ACKED;
            case 3 -> READ;
            default -> throw new IllegalArgumentException("no status of rank " + rank);
        };
    }
}
