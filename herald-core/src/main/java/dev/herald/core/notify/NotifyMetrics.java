package dev.herald.core.notify;

/**
 * What {@link NotifyDispatcher} reports, per channel: the server implements it with Micrometer counters and
 * timers. Every method must be cheap and must not block (called on the dispatcher's and the notifiers'
 * threads); every method has a do-nothing default so an implementation overrides only what it records.
 */
public interface NotifyMetrics {
    /** Records nothing. */
    NotifyMetrics NONE = new NotifyMetrics() { };

    /** A delivery was accepted by its endpoint; {@code latencyNanos} is the attempt's duration. */
    default void sent(String channel, long latencyNanos) { }

    /** An attempt failed ({@code RETRY}, {@code PERMANENT} or {@code GONE}; a timeout or a notifier error is {@code RETRY}). */
    default void failed(String channel, SendResult.Outcome outcome) { }

    /** A failed delivery was scheduled for another attempt. */
    default void retried(String channel) { }

    /** A delivery became a dead letter. */
    default void dead(String channel) { }

    /** An endpoint's circuit opened (or re-opened after a failed half-open trial). */
    default void circuitOpened(String channel) { }

    /** A delivery was postponed, without an attempt, because its endpoint's circuit is open. */
    default void postponed(String channel) { }

    /** A fallback was cancelled at firing time because the user had acked or read the message. */
    default void cancelled(String channel) { }

    /** {@code count} fallbacks were cancelled eagerly by an ack ({@link NotifyDispatcher#onStatus}). */
    default void fallbacksCancelled(int count) { }
}
