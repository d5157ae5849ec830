package dev.herald.client;

import java.util.List;

/**
 * One delivery of a message through a channel other than in-app: in a {@link Receipt} and as a dead
 * letter. Timestamps are ms since the epoch.
 *
 * @param user         the recipient user, or {@code null} for an explicit target
 * @param target       an explicit target: its e-mail address or URL cut to scheme and host; {@code null} for a
 *                     user's delivery, whose address is read from their {@link Contacts} at each attempt
 * @param state        {@code pending}, {@code waiting_ack} (a fallback), {@code sent}, {@code dead} or {@code cancelled}
 * @param dueAt        the next attempt while pending or waiting for an ack, else {@code null}
 * @param lastError    why the last attempt failed, or {@code null}
 * @param attempts     the latest attempts (up to 20), oldest first
 */
public record Delivery(String id, String messageId, String channel, String user, String target, String state,
                       String title, long createdAt, long deadline, Long dueAt, int attemptCount, String lastError,
                       List<Attempt> attempts) {
    public Delivery {
        attempts = List.copyOf(attempts);
    }

    /**
     * One attempt.
     *
     * @param outcome {@code ok}, {@code retry}, {@code permanent} or {@code gone}
     * @param status  the HTTP status (or SMTP reply code), {@code null} when there was none (timeout, refused…)
     */
    public record Attempt(int number, long at, long latencyMs, String outcome, Integer status, String error) { }
}
