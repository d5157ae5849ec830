package dev.herald.core.notify;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One channel as {@link NotifyDispatcher} runs it: its notifier, policy, endpoint breakers and in-flight
 * budget. The budget counts claimed deliveries until their result is recorded, and is reserved before a
 * claim is made (the claim is asynchronous), so a channel never holds more than
 * {@link ChannelPolicy#maxInFlight()} deliveries. The claim bookkeeping ({@code claiming}, the store
 * back-off) is touched only on the dispatcher's thread.
 */
final class ChannelLane {
    /** Store back-off after a failed claim starts at the poll interval and doubles up to this. */
    static final long MAX_STORE_BACKOFF_MILLIS = 30_000;

    final String channel;
    final Notifier notifier;
    final ChannelPolicy policy;
    final CircuitBreakers breakers;
    final AtomicInteger inFlight = new AtomicInteger();

    /** A claim is under way (at most one per channel). Dispatcher thread only. */
    boolean claiming;
    /** A poll found a claim under way: claim again once it completes. Dispatcher thread only. */
    boolean pollAgain;
    /** The last claim filled the budget: more may be due, so a freed slot polls again at once. */
    volatile boolean backlog;
    /** Consecutive failed claims, and no claim before this time (ms). Dispatcher thread only. */
    int storeFailures;
    long noClaimBefore;

    ChannelLane(Notifier notifier, ChannelPolicy policy) {
        this.channel = notifier.channel();
        this.notifier = notifier;
        this.policy = policy;
        this.breakers = new CircuitBreakers(policy.circuit(), CircuitBreakers.DEFAULT_MAX_BREAKERS);
    }

    /** Slots free for new deliveries now. */
    int freeSlots() {
        return policy.maxInFlight() - inFlight.get();
    }
}
