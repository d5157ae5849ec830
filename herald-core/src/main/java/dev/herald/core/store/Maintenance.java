package dev.herald.core.store;

/**
 * What one maintenance pass did.
 *
 * @param expired messages per recipient whose TTL ran out before they were acked (counted once)
 * @param dropped messages per stream pushed out by the inbox cap
 * @param purged  messages deleted for good (their receipts with them), past their retention
 */
public record Maintenance(long expired, long dropped, long purged) { }
