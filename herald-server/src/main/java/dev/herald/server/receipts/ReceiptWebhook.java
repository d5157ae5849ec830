package dev.herald.server.receipts;

import dev.herald.core.JsonText;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.message.MessageIds;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.DispatchSignals;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.StatusUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tells the business system what happened to its messages: status changes (delivered, acked, read) are
 * batched, and each batch becomes one delivery ({@link NotifyJob}) of the {@link ReceiptWebhookNotifier#CHANNEL}
 * channel, recorded in the {@link NotifyStore}. From there the notification dispatcher owns it like any other
 * delivery: retries with the channel's backoff and jitter, the endpoint's circuit breaker, the
 * {@code herald_notify_*} metrics, and a dead letter (listed, retried and deleted with the dead-letter API)
 * when the receiver keeps failing. This class has no retry loop of its own.
 *
 * <p>Never blocks a caller: {@link #onStatus} only offers to a bounded queue. One daemon thread takes what is
 * queued (up to {@link #MAX_BATCH} receipts), records it as one job and waits for the store before taking the
 * next batch, so a busy store makes batches larger, not more numerous. Receipts are dropped and counted when
 * the queue is full (the store cannot keep up) or the store refuses a batch; the receipts themselves stay
 * readable in {@code GET /api/v1/messages/{id}}. Receipts still queued at {@link #close} are recorded as a
 * last batch, to be sent at the next start.
 */
public final class ReceiptWebhook implements ReceiptListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiptWebhook.class);
    /** Receipts waiting to be recorded; only a store slower than the status changes fills it. */
    static final int QUEUE_CAPACITY = 100_000;
    /** Receipts per request: about 50 KB of JSON, quick for any receiver to take. */
    static final int MAX_BATCH = 500;
    /** The title batches show in dead letters. */
    static final String TITLE = "receipts";

    private final Destination destination;
    private final NotifyStore store;
    private final DispatchSignals dispatcher;
    private final Clock clock;
    private final Duration deadline;
    private final MessageIds ids = new MessageIds();
    private final BlockingQueue<StatusUpdate> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread batcher = new Thread(this::run, "herald-receipt-batcher");
    /** Receipts recorded as deliveries of the receipt channel (sent or not yet). */
    public final LongAdder recorded = new LongAdder();
    /** Receipts given up on before they became a delivery: queue full, or the store refused the batch. */
    public final LongAdder dropped = new LongAdder();
    /** The queue was found full: set by the first drop, cleared once the batcher has made room again. */
    private final AtomicBoolean overflowing = new AtomicBoolean();
    private volatile boolean running = true;
    private boolean storeFailing; // batcher thread only: log a failure streak once

    /**
     * @param url        {@code receipts.webhook-url}
     * @param store      where the batches are recorded
     * @param dispatcher told about each recorded batch, so it is sent at once rather than at the next poll
     * @param deadline   how long a batch may be retried (the receipt channel's retry deadline)
     */
    public ReceiptWebhook(String url, NotifyStore store, DispatchSignals dispatcher, Clock clock, Duration deadline) {
        this.destination = new Destination(ReceiptWebhookNotifier.CHANNEL, url, null);
        this.store = Objects.requireNonNull(store, "store");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        batcher.setDaemon(true);
    }

    public void start() {
        batcher.start();
    }

    @Override
    public void onStatus(StatusUpdate update) {
        if (!queue.offer(update)) {
            dropped.increment();
            if (overflowing.compareAndSet(false, true)) {
                log.warn("receipt webhook: {} receipts wait to be recorded; further ones are dropped until the store catches up",
                        QUEUE_CAPACITY);
            }
        }
    }

    private void run() {
        List<StatusUpdate> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                StatusUpdate first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                record(batch);
            } catch (InterruptedException e) {
                return; // close() records what is left
            } finally {
                batch.clear();
            }
        }
    }

    /** Records one batch as a delivery and waits for the store. */
    private void record(List<StatusUpdate> batch) throws InterruptedException {
        NotifyJob job = job(batch, clock.millis());
        try {
            store.enqueue(List.of(job)).get();
            recorded.add(batch.size());
            if (overflowing.get() && queue.remainingCapacity() > QUEUE_CAPACITY / 2 && overflowing.compareAndSet(true, false)) {
                log.info("receipt webhook: the receipt queue has room again ({} receipts dropped since start)", dropped.sum());
            }
            if (storeFailing) {
                storeFailing = false;
                log.info("receipt webhook: the store records receipt batches again");
            }
            dispatcher.scheduled(List.of(job));
        } catch (ExecutionException | RuntimeException e) {
            dropped.add(batch.size());
            if (!storeFailing) {
                storeFailing = true;
                log.warn("receipt webhook: a batch of {} receipts was not recorded ({}); receipts are dropped until the store answers",
                        batch.size(), (e instanceof ExecutionException ? e.getCause() : e).getClass().getName());
            }
        }
    }

    /**
     * One batch as a delivery. A batch spans many messages, so the delivery's {@code messageId} is its own id
     * (no message's receipt lists it); there is no user, and the destination carries no secret (the notifier
     * signs with the configured one).
     */
    NotifyJob job(List<StatusUpdate> batch, long now) {
        String id = ids.next(now);
        Notification content = new Notification(id, id, null, now, TITLE, batch.size() + " receipts", null, null, body(batch));
        long until = now + deadline.toMillis();
        return NotifyJob.create(id, id, ReceiptWebhookNotifier.CHANNEL, null, destination, content, now, now, until, false);
    }

    static String body(List<StatusUpdate> batch) {
        StringBuilder sb = new StringBuilder(64 + batch.size() * 96).append("{\"type\":\"receipts\",\"receipts\":[");
        for (int i = 0; i < batch.size(); i++) {
            StatusUpdate u = batch.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(JsonText.quote(u.messageId()))
                    .append(",\"user\":").append(JsonText.quote(u.userId()))
                    .append(",\"status\":\"").append(u.status().wireName()).append("\",\"at\":").append(u.at()).append('}');
        }
        return sb.append("]}").toString();
    }

    /**
     * Stops the batcher and records what is still queued, so that a graceful stop loses no receipt: call it
     * before the store closes. Blocks until the last batches are recorded (or the store refused them).
     */
    @Override
    public void close() {
        running = false;
        batcher.interrupt();
        try {
            batcher.join(TimeUnit.SECONDS.toMillis(10));
            List<StatusUpdate> batch = new ArrayList<>(MAX_BATCH);
            while (queue.drainTo(batch, MAX_BATCH) > 0) {
                record(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
