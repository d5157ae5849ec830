package dev.herald.core.store;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a message sits in one stream (a user's inbox, a topic's log, the broadcast log): its position and the
 * stream's epoch. The store assigns positions when it appends: 1, 2, 3… per stream, in commit order, with no
 * gaps between durable messages. The epoch names one unbroken history of the stream: it is made when the stream
 * is created and changes when the stream's history is lost or reset (a memory store restarts; a database is
 * wiped), so a position means something only together with its epoch. Immutable.
 *
 * @param position 1 for a stream's first message, then one more for each message appended to it
 * @param epoch    a short opaque string (8 lowercase hex characters from this store; compare, never parse)
 */
public record StreamPosition(long position, String epoch) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int EPOCH_BYTES = 4;

    public StreamPosition {
        if (position < 1) {
            throw new IllegalArgumentException("positions start at 1: " + position);
        }
        Objects.requireNonNull(epoch, "epoch");
    }

    /** A fresh epoch for a new stream: 8 lowercase hex characters, random. Thread-safe. */
    public static String newEpoch() {
        byte[] bytes = new byte[EPOCH_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Longest epoch a cursor may name (this store makes 8 characters; room for other formats). */
    public static final int MAX_EPOCH_LENGTH = 32;

    /**
     * Parses the cursor form {@code <position>@<epoch>} (a positive decimal position, an epoch of 1-32 ASCII letters
     * and digits), or returns {@code null} when {@code cursor} is not one. Never throws.
     */
    public static StreamPosition parseCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        int at = cursor.indexOf('@');
        if (at < 1 || at > 18 || at == cursor.length() - 1 || cursor.length() - at - 1 > MAX_EPOCH_LENGTH) {
            return null;
        }
        long position = 0;
        for (int i = 0; i < at; i++) {
            char c = cursor.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            position = position * 10 + (c - '0');
        }
        for (int i = at + 1; i < cursor.length(); i++) {
            char c = cursor.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return null;
            }
        }
        return position < 1 ? null : new StreamPosition(position, cursor.substring(at + 1));
    }

    /** {@code <position>@<epoch>}, the cursor form clients keep ({@link #parseCursor} reads it back). */
    @Override
    public String toString() {
        return position + "@" + epoch;
    }
}
