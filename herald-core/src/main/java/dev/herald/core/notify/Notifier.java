package dev.herald.core.notify;

import java.util.concurrent.CompletableFuture;

/**
 * One notification channel ({@code webhook}, {@code email}, {@code wecom}…): turns a {@link Notification}
 * into the channel's wire format and sends it to one {@link Destination}. Stateless and thread-safe.
 *
 * <p>A notifier makes exactly one attempt per {@link #send} call and reports how it went; retries,
 * backoff, circuit breaking and dead-lettering live in {@link NotifyDispatcher}, so a new channel is one
 * class plus its registration ({@code docs/channels.md}). The future never completes exceptionally for a
 * failed delivery: a failure is a {@link SendResult}. It must complete within the notifier's own timeout
 * (the dispatcher also bounds it).
 */
public interface Notifier {

    /** The channel name used in {@code "channels":[…]}, contacts and metrics: lower case, e.g. {@code "slack"}. */
    String channel();

    /**
     * Checks a destination an API caller gave (a contact or an explicit target) and returns it normalised.
     * Throws {@code invalid_request} naming {@code path} (the address field, e.g. {@code to.webhook.url}; a secret is named as its sibling {@code to.webhook.secret}) when it is unusable:
     * a malformed address, a non-http(s) URL, a target in a refused address range, a missing secret.
     */
    Destination validate(Destination destination, String path);

    /**
     * The field of a destination object that holds the address ({@code "webhook":{"url":…}}), which error
     * messages name; {@code null} when the address is the channel's field itself ({@code "email":"ann@…"}).
     */
    default String addressField() {
        return "url";
    }

    /** Makes one delivery attempt. */
    CompletableFuture<SendResult> send(Notification notification, Destination destination);

    /**
     * The circuit-breaker key of a destination: deliveries to one endpoint share one breaker, so a dead
     * endpoint stops being hammered while other endpoints of the same channel go on. Default: the address.
     */
    default String endpointKey(Destination destination) {
        return channel() + " " + destination.address();
    }
}
