package dev.herald.core.store;

import dev.herald.core.message.Target;

import java.util.Map;

/**
 * The outcome of appending one message.
 *
 * @param id        the stored message's id: the new one, or, for a repeated idempotency key, the first message's
 * @param duplicate {@code true} when the idempotency key was already used: nothing new was stored
 * @param positions where the store put the message: one entry per stream it is kept in
 *                  ({@link StoredMessage#streams()}); empty for a duplicate
 */
public record Appended(String id, boolean duplicate, Map<Target, StreamPosition> positions) {
    public Appended {
        positions = Map.copyOf(positions);
    }

    /** A duplicate: the first message's id, nothing new appended. */
    public static Appended duplicateOf(String firstId) {
        return new Appended(firstId, true, Map.of());
    }
}
