package dev.herald.core.store;

import dev.herald.core.message.Target;

import java.util.Map;

/**
 * The outcome of appending one message.
 *
 * @param id        the stored message's id: the new one, or, for a repeated idempotency key, the first message's
 * @param duplicate {@code true} when the idempotency key was already used: nothing new was stored
 * @param keyReused {@code true} when the idempotency key was already used for a different request (another
 *                  {@link StoredMessage#requestHash}): nothing new was stored, and the caller gets an error
 *                  rather than the first message's id ({@code duplicate} is {@code true} as well)
 * @param positions where the store put the message: one entry per stream it is kept in
 *                  ({@link StoredMessage#streams()}); empty for a duplicate (and a reused key)
 */
public record Appended(String id, boolean duplicate, boolean keyReused, Map<Target, StreamPosition> positions) {
    public Appended {
        positions = Map.copyOf(positions);
    }

    /** A new message, stored at {@code positions}. */
    public static Appended appended(String id, Map<Target, StreamPosition> positions) {
        return new Appended(id, false, false, positions);
    }

    /** A duplicate: the first message's id, nothing new appended. */
    public static Appended duplicateOf(String firstId) {
        return new Appended(firstId, true, false, Map.of());
    }

    /** The outcome of a message whose key is held by message {@code firstId}: a duplicate, or a reuse when the hashes differ. */
    public static Appended repeatOf(String firstId, String firstHash, String hash) {
        return new Appended(firstId, true, !StoredMessage.sameRequest(firstHash, hash), Map.of());
    }
}
