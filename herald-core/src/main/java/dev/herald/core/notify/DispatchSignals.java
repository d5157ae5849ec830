package dev.herald.core.notify;

/** What the publishing side tells the dispatcher after it committed deliveries. */
public interface DispatchSignals {
    DispatchSignals NONE = new DispatchSignals() {
        @Override
        public void wake() { }

        @Override
        public void fallbackScheduled(String messageId) { }
    };

    /** Deliveries were committed: look for due ones now instead of at the next poll. */
    void wake();

    /** The message has fallbacks waiting for acks: an ack of it should cancel them at once. */
    void fallbackScheduled(String messageId);
}
