package dev.herald.core.store;

/**
 * The outcome of appending one message.
 *
 * @param id        the stored message's id: the new one, or, for a repeated idempotency key, the first message's
 * @param duplicate {@code true} when the idempotency key was already used: nothing new was stored
 * @param keyReused {@code true} when the idempotency key was already used for a different request (another
 *                  {@link StoredMessage#requestHash}): nothing new was stored, and the caller gets an error
 *                  rather than the first message's id ({@code duplicate} is {@code true} as well)
 */
public record Appended(String id, boolean duplicate, boolean keyReused) {
    public Appended(String id, boolean duplicate) {
        this(id, duplicate, false);
    }

    /** The outcome of a message whose key is held by message {@code firstId}: a duplicate, or a reuse when the hashes differ. */
    public static Appended repeatOf(String firstId, String firstHash, String hash) {
        return new Appended(firstId, true, !StoredMessage.sameRequest(firstHash, hash));
    }
}
