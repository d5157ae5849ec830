package dev.herald.client;

/**
 * What a {@link HeraldSubscriber} reports. Every method runs on the subscriber's listener executor, never on its
 * I/O thread, one call at a time and in the order the events happened (with the default executor, or any
 * single-threaded one). A method that throws is reported to {@link #onListenerFailure} and the subscriber goes on.
 */
public interface SubscriberListener {
    /** A message, at most once per id within the dedupe window; with auto-ack it is acked once this returns. */
    void onMessage(ReceivedMessage message);

    /**
     * Messages of a stream were lost before they could be delivered (inbox cap, TTL, or the stream's history was
     * reset): reload the application's state from its back-end.
     */
    default void onGap(SubscriberGap gap) { }

    /** The connection's state changed. */
    default void onState(SubscriberState state) { }

    /** The server refused a frame ({@code error} frame), or the token supplier failed. The connection goes on. */
    default void onError(String code, String message) { }

    /** One of the methods above threw. */
    default void onListenerFailure(RuntimeException failure) {
        System.getLogger(HeraldSubscriber.class.getName()).log(System.Logger.Level.WARNING, "a subscriber listener failed", failure);
    }
}
