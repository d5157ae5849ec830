package dev.herald.core.notify;

import java.util.Collection;

/** What the publishing side tells the dispatcher ({@link NotifyDispatcher}) after it committed deliveries. */
public interface DispatchSignals {
    DispatchSignals NONE = new DispatchSignals() {
        @Override
        public void wake() { }

        @Override
        public void scheduled(Collection<NotifyJob> jobs) { }
    };

    /** Deliveries became due (a dead letter was retried): look for them now instead of at the next poll. */
    void wake();

    /** {@code jobs} were just committed with their message: start the due ones now, remember the fallbacks. */
    void scheduled(Collection<NotifyJob> jobs);
}
