package dev.herald.core.store;

/**
 * The outcome of appending one message.
 *
 * @param id        the stored message's id: the new one, or, for a repeated idempotency key, the first message's
 * @param duplicate {@code true} when the idempotency key was already used: nothing new was stored
 */
public record Appended(String id, boolean duplicate) { }
