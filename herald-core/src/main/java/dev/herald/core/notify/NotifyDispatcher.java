package dev.herald.core.notify;

import dev.herald.core.message.Durations;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StatusUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Delivers the stored channel jobs ({@link NotifyJob}) through their {@link Notifier}s, reliably: at least
 * once, with retries (backoff and jitter, {@link RetryPolicy}), a circuit breaker per endpoint
 * ({@link CircuitBreaker}), dead letters, and fallbacks that fire only when the in-app message was not acked.
 *
 * <p><b>How it runs.</b> One daemon thread ({@code herald-notify-dispatcher}) polls every
 * {@code pollInterval}, and at once on {@link #wake()}: for each registered channel with free in-flight
 * capacity it leases due jobs ({@link NotifyStore#claimDue}) for {@code lease}, and starts each. Sends are
 * futures bounded by the channel's attempt timeout; the thread never waits for one. Each channel has its own
 * in-flight budget ({@link ChannelPolicy#maxInFlight()}), so a slow or failing channel never delays another;
 * within a channel, the breaker stops a failing endpoint from taking the whole budget.
 *
 * <p><b>Across restarts and nodes.</b> The store is the only shared state: a job is leased to one node; a
 * node that dies (or closes without finishing a send) leaves the lease to expire, and any node resumes the
 * job after it. Delivery is therefore at least once: a send whose result was not recorded is repeated
 * (webhooks carry the delivery id so receivers can de-duplicate). Breakers and the fallback set are per node
 * and in memory.
 *
 * <p><b>Unregistered channels.</b> Only channels registered in {@link Notifiers} are claimed. Jobs of a channel
 * that is no longer configured (config changed across a restart) stay {@code PENDING} in the store, visible in
 * receipts, and are delivered if the channel is configured again; they are neither failed nor dropped (a
 * configuration mistake must not turn into dead letters). The channels dispatched are logged at start.
 *
 * <p><b>Failures of the store</b> never stop the loop: a failed claim is logged and that channel backs off
 * (from the poll interval, doubling up to 30 s); a failed {@code complete} leaves the job leased, so it is
 * retried when the lease expires.
 *
 * <p>Thread-safe. {@link #wake()}, {@link #scheduled}, {@link #fallbackScheduled} and {@link #onStatus} never block.
 */
public final class NotifyDispatcher implements DispatchSignals, AutoCloseable {
    /** Due jobs are looked for every second (and at once after a publish, {@link #wake()}). */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /**
     * A claimed job is this node's for two minutes: far more than an attempt may take (15 s by default), so
     * a live node is never raced; a dead node's jobs resume two minutes later.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);
    /** {@link #close()} waits this long for sends under way to finish and be recorded. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);
    /** Messages remembered as having fallbacks, for the eager cancel on ack (~150 bytes each). */
    static final int MAX_TRACKED_FALLBACKS = 50_000;

    private static final Logger log = LoggerFactory.getLogger(NotifyDispatcher.class);

    private final NotifyStore store;
    private final NotifyMetrics metrics;
    private final Clock clock;
    private final long pollMillis;
    private final long leaseMillis;
    private final List<ChannelLane> lanes = new ArrayList<>();
    private final ScheduledThreadPoolExecutor loop;
    private final JobRunner runner;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Object idle = new Object();
    private final Map<String, Boolean> fallbackMessages = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_TRACKED_FALLBACKS;
        }
    };
    private volatile boolean started;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private ScheduledFuture<?> polling;

    /**
     * @param notifiers    the configured channels; each registered one is dispatched
     * @param store        where jobs and contacts are
     * @param messages     for the fallbacks' firing-time ack check ({@link MessageStore#receipt})
     * @param policies     channel → its policy; {@code null} means {@link ChannelPolicy#DEFAULT}
     * @param metrics      {@link NotifyMetrics#NONE} when not recorded
     * @param clock        the time jobs are due and recorded at
     * @param pollInterval how often due jobs are looked for
     * @param lease        how long a claimed job is this node's; must exceed every channel's attempt timeout
     * @throws IllegalArgumentException when the lease does not exceed a channel's attempt timeout
     */
    public NotifyDispatcher(Notifiers notifiers, NotifyStore store, MessageStore messages,
                            Function<String, ChannelPolicy> policies, NotifyMetrics metrics, Clock clock,
                            Duration pollInterval, Duration lease) {
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pollMillis = positiveMillis(pollInterval, "pollInterval");
        this.leaseMillis = positiveMillis(lease, "lease");
        for (Notifier notifier : notifiers.all()) {
            ChannelPolicy policy = policies.apply(notifier.channel());
            policy = policy != null ? policy : ChannelPolicy.DEFAULT;
            if (policy.attemptTimeout().toMillis() >= leaseMillis) {
                throw new IllegalArgumentException("the notification lease (" + lease + ") must exceed the attempt timeout of channel '"
                        + notifier.channel() + "' (" + policy.attemptTimeout() + ")");
            }
            lanes.add(new ChannelLane(notifier, policy));
        }
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "herald-notify-dispatcher");
            t.setDaemon(true);
            return t;
        });
        loop.setRemoveOnCancelPolicy(true);
        this.runner = new JobRunner(store, Objects.requireNonNull(messages, "messages"), metrics, clock, loop, () -> abandoned,
                this::wakeAt);
    }

    /** With the default poll interval and lease. */
    public NotifyDispatcher(Notifiers notifiers, NotifyStore store, MessageStore messages,
                            Function<String, ChannelPolicy> policies, NotifyMetrics metrics, Clock clock) {
        this(notifiers, store, messages, policies, metrics, clock, DEFAULT_POLL_INTERVAL, DEFAULT_LEASE);
    }

    /** Starts polling. Idempotent. */
    public synchronized void start() {
        if (started || closing) {
            return;
        }
        started = true;
        polling = loop.scheduleWithFixedDelay(this::poll, 0, pollMillis, TimeUnit.MILLISECONDS);
        log.debug("notification dispatcher started: channels {}, polling every {}, lease {}{}",
                lanes.stream().map(l -> l.channel).toList(), Durations.format(Duration.ofMillis(pollMillis)),
                Durations.format(Duration.ofMillis(leaseMillis)),
                lanes.isEmpty() ? "" : "; jobs of other channels stay pending until their channel is configured");
    }

    /** Polls now instead of at the next interval: call it after jobs were recorded. Coalesces; never blocks. */
    @Override
    public void wake() {
        if (!started || closing || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(() -> {
                wakePending.set(false);
                poll();
            });
        } catch (RejectedExecutionException closed) {
            wakePending.set(false);
        }
    }

    /** Wakes the loop at {@code dueAt} when that is sooner than the next poll would notice (a short retry backoff). */
    private void wakeAt(long dueAt) {
        long delay = dueAt - clock.millis();
        if (closing || delay >= pollMillis) {
            return;
        }
        try {
            loop.schedule(this::wake, Math.max(0, delay), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing: the next start polls anyway
        }
    }

    /**
     * Tells the dispatcher that {@code jobs} were just recorded (with their message): remembers the fallbacks
     * for the eager cancel and wakes the loop when one is due now. The publisher calls it after the append.
     */
    @Override
    public void scheduled(Collection<NotifyJob> jobs) {
        long now = clock.millis();
        boolean due = false;
        for (NotifyJob job : jobs) {
            if (job.state() == JobState.WAITING_ACK) {
                fallbackScheduled(job.messageId());
            }
            due |= job.dueAt() <= now;
        }
        if (due) {
            wake();
        }
    }

    /** Remembers that {@code messageId} has fallbacks, so an ack of it cancels them at once ({@link #onStatus}). */
    public void fallbackScheduled(String messageId) {
        synchronized (fallbackMessages) {
            fallbackMessages.put(messageId, Boolean.TRUE);
        }
    }

    /**
     * The eager fallback cancel, chained into the store's {@code ReceiptListener}: an ack or read of a message
     * known to have fallbacks cancels the user's waiting ones. Acks of other messages cost a set lookup, no
     * store write. The set is bounded and per node, so it may miss (after a restart, on another node): the
     * check when a fallback fires is the authoritative one. Never blocks.
     */
    public void onStatus(StatusUpdate update) {
        if (update.status() != DeliveryStatus.ACKED && update.status() != DeliveryStatus.READ) {
            return;
        }
        synchronized (fallbackMessages) {
            if (!fallbackMessages.containsKey(update.messageId())) {
                return;
            }
        }
        try {
            store.cancelFallbacks(update.messageId(), update.userId()).whenComplete((count, error) -> {
                if (error != null) {
                    log.debug("fallbacks of message {} not cancelled on ack (they are checked when they fire): {}",
                            update.messageId(), error.getClass().getName());
                } else if (count > 0) {
                    metrics.fallbacksCancelled(count);
                }
            });
        } catch (RuntimeException e) {
            log.debug("fallbacks of message {} not cancelled on ack: {}", update.messageId(), e.getClass().getName());
        }
    }

    /** Deliveries of {@code channel} claimed and not yet recorded (for a gauge); 0 for an unknown channel. */
    public int inFlight(String channel) {
        for (ChannelLane lane : lanes) {
            if (lane.channel.equals(channel)) {
                return lane.inFlight.get();
            }
        }
        return 0;
    }

    /** {@link #close(Duration)} with {@link #DEFAULT_CLOSE_GRACE}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_GRACE);
    }

    /**
     * Stops polling, waits up to {@code grace} for sends under way to finish and be recorded, then stops. A send
     * still running after that is not recorded: its lease expires and this or another node repeats it.
     * Idempotent; blocks the caller up to {@code grace}.
     */
    public void close(Duration grace) {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            if (polling != null) {
                polling.cancel(false);
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (idle) {
            long left;
            while (totalInFlight() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int left = totalInFlight();
        abandoned = true;
        loop.shutdownNow();
        if (left > 0) {
            log.info("notification dispatcher closed with {} deliveries under way; they resume when their lease expires", left);
        }
    }

    private int totalInFlight() {
        int n = 0;
        for (ChannelLane lane : lanes) {
            n += lane.inFlight.get();
        }
        return n;
    }

    /** One round: claims due jobs for every channel with room. Dispatcher thread only; never throws. */
    private void poll() {
        if (closing) {
            return;
        }
        long now = clock.millis();
        for (ChannelLane lane : lanes) {
            try {
                lane.breakers.evictIdle(now);
                claim(lane, now);
            } catch (RuntimeException e) {
                log.warn("notification channel {}: poll failed: {}", lane.channel, e.getClass().getName());
            }
        }
    }

    private void claim(ChannelLane lane, long now) {
        if (lane.claiming) {
            lane.pollAgain = true; // a wake during a claim must not be lost: poll again when it completes
            return;
        }
        if (now < lane.noClaimBefore) {
            return;
        }
        int free = lane.freeSlots();
        if (free <= 0) {
            lane.backlog = true;
            return;
        }
        lane.claiming = true;
        lane.inFlight.addAndGet(free);
        CompletableFuture<List<NotifyJob>> claimed;
        try {
            claimed = store.claimDue(lane.channel, now, now + leaseMillis, free);
        } catch (RuntimeException e) {
            claimed = CompletableFuture.failedFuture(e);
        }
        claimed.whenCompleteAsync((jobs, error) -> claimed(lane, free, jobs, error), loop)
                .exceptionally(rejected -> {
                    lane.inFlight.addAndGet(-free);
                    return null;
                });
    }

    private void claimed(ChannelLane lane, int reserved, List<NotifyJob> jobs, Throwable error) {
        lane.claiming = false;
        if (lane.pollAgain) {
            lane.pollAgain = false;
            wake();
        }
        if (error != null) {
            release(lane, reserved);
            long backoff = Math.min(ChannelLane.MAX_STORE_BACKOFF_MILLIS, pollMillis << Math.min(lane.storeFailures, 16));
            lane.noClaimBefore = clock.millis() + backoff;
            if (lane.storeFailures++ == 0) {
                log.warn("notification channel {}: claiming due deliveries failed ({}); backing off", lane.channel,
                        error.getClass().getName());
            }
            return;
        }
        if (lane.storeFailures > 0) {
            log.info("notification channel {}: the store answers again", lane.channel);
            lane.storeFailures = 0;
            lane.noClaimBefore = 0;
        }
        lane.backlog = jobs.size() == reserved;
        release(lane, reserved - jobs.size());
        for (NotifyJob job : jobs) {
            CompletableFuture<Void> run = closing ? handBack(job) : runner.run(job, lane);
            run.whenComplete((v, e) -> release(lane, 1));
        }
    }

    /** Releases the lease of a job claimed while closing, unchanged, so the next start or another node takes it at once. */
    private CompletableFuture<Void> handBack(NotifyJob job) {
        try {
            return store.complete(job.id(), null, job.state(), job.dueAt(), job.lastError())
                    .handle((applied, error) -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Frees budget: wakes {@link #close} when it waits, and polls again when the channel has a backlog. */
    private void release(ChannelLane lane, int slots) {
        if (slots <= 0) {
            return;
        }
        lane.inFlight.addAndGet(-slots);
        if (closing) {
            synchronized (idle) {
                idle.notifyAll();
            }
        } else if (lane.backlog) {
            wake();
        }
    }

    private static long positiveMillis(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.toMillis() <= 0) {
            throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
        }
        return d.toMillis();
    }
}
