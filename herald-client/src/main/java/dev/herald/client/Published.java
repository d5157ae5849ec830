package dev.herald.client;

/**
 * Herald accepted the message.
 *
 * @param id        the message id (for a repeated idempotency key: the first message's)
 * @param delivered connections on the receiving node that got it live
 * @param queued    stored, and nobody was connected: recipients get it when they connect (HTTP 202)
 * @param duplicate the idempotency key was used before; nothing was published this time
 */
public record Published(String id, int delivered, boolean queued, boolean duplicate) {
    public Published(String id, int delivered) {
        this(id, delivered, false, false);
    }
}
