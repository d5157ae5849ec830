package dev.herald.client;

/**
 * Which dead letters to list, newest first. Immutable; every filter optional:
 * <pre>{@code
 * DeadLetterQuery query = DeadLetterQuery.all().channel("webhook").limit(50);
 * DeadLetterPage page = herald.deadLetters(query);
 * while (page.hasNext()) {
 *     page = herald.deadLetters(query.before(page.next()));
 * }
 * }</pre>
 *
 * @param before a page's {@link DeadLetterPage#next()}: list the dead letters after it
 * @param limit  1 to {@value #MAX_LIMIT}, or 0 for the server's default (100)
 */
public record DeadLetterQuery(String channel, String user, String messageId, String before, int limit) {
    public static final int MAX_LIMIT = 500;

    public DeadLetterQuery {
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + " (0: the server's default)");
        }
    }

    public static DeadLetterQuery all() {
        return new DeadLetterQuery(null, null, null, null, 0);
    }

    public DeadLetterQuery channel(String channel) {
        return new DeadLetterQuery(channel, user, messageId, before, limit);
    }

    public DeadLetterQuery user(String user) {
        return new DeadLetterQuery(channel, user, messageId, before, limit);
    }

    /** Only the dead letters of this message. */
    public DeadLetterQuery message(String messageId) {
        return new DeadLetterQuery(channel, user, messageId, before, limit);
    }

    public DeadLetterQuery before(String cursor) {
        return new DeadLetterQuery(channel, user, messageId, cursor, limit);
    }

    public DeadLetterQuery limit(int limit) {
        return new DeadLetterQuery(channel, user, messageId, before, limit);
    }
}
