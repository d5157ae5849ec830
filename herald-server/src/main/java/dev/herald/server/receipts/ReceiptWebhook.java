package dev.herald.server.receipts;

import dev.herald.core.LogSafe;
import dev.herald.core.JsonText;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.store.StatusUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tells the business system what happened to its messages: status changes (delivered, acked, read)
 * are queued, batched, and POSTed as JSON to {@code receipts.webhook-url}, signed with
 * {@link WebhookSignature}. A failed POST (network error, timeout, 408, 429, 5xx) is retried with
 * capped exponential backoff and jitter, keeping its {@code webhook-id} so the receiver can
 * de-duplicate; other 4xx answers are permanent and the batch is dropped (and logged).
 *
 * <p>Never blocks a caller: {@link #onStatus} only offers to a bounded queue; when the receiver is
 * down long enough for the queue to fill, further receipts are dropped and counted.
 */
public final class ReceiptWebhook implements ReceiptListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiptWebhook.class);
    static final int QUEUE_CAPACITY = 100_000;
    static final int MAX_BATCH = 500;
    static final int MAX_ATTEMPTS = 8;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final WebhookSignature signature;
    private final BlockingQueue<StatusUpdate> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Thread sender = new Thread(this::run, "herald-receipt-webhook");
    private final Duration firstBackoff;
    /** Receipts the receiver confirmed with a 2xx. */
    public final LongAdder sent = new LongAdder();
    /** Receipts given up on: queue full, permanent refusal, or attempts exhausted. */
    public final LongAdder dropped = new LongAdder();
    private volatile boolean running = true;

    public ReceiptWebhook(String url, String secret) {
        this(url, secret, FIRST_BACKOFF);
    }

    /** {@code firstBackoff}: the first retry delay (tests shorten it). */
    public ReceiptWebhook(String url, String secret, Duration firstBackoff) {
        this.url = URI.create(url);
        this.signature = new WebhookSignature(secret);
        this.firstBackoff = firstBackoff;
        sender.setDaemon(true);
    }

    public void start() {
        sender.start();
    }

    @Override
    public void onStatus(StatusUpdate update) {
        if (!queue.offer(update)) {
            dropped.increment();
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
                deliver(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void deliver(List<StatusUpdate> batch) throws InterruptedException {
        String id = "rcpt_" + UUID.randomUUID();
        String body = body(batch);
        Duration backoff = firstBackoff;
        for (int attempt = 1; running; attempt++) {
            Outcome outcome = post(id, body);
            if (outcome == Outcome.OK) {
                sent.add(batch.size());
                return;
            }
            if (outcome == Outcome.PERMANENT || attempt == MAX_ATTEMPTS) {
                log.warn("receipt webhook {}: giving up on {} receipts after {} attempts", url.getHost(), batch.size(), attempt);
                dropped.add(batch.size());
                return;
            }
            long jittered = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2, backoff.toMillis() + 1);
            Thread.sleep(jittered); // the sender's own retry pacing, not test synchronisation
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private enum Outcome { OK, RETRY, PERMANENT }

    private Outcome post(String id, String body) {
        long timestamp = System.currentTimeMillis() / 1000;
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature.sign(id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                return Outcome.OK;
            }
            log.debug("receipt webhook answered {}", status);
            return status == 408 || status == 429 || status >= 500 ? Outcome.RETRY : Outcome.PERMANENT;
        } catch (java.io.IOException e) {
            log.debug("receipt webhook failed: {}", LogSafe.value(e));
            return Outcome.RETRY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.PERMANENT;
        }
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

    @Override
    public void close() {
        running = false;
        sender.interrupt();
        http.close();
    }
}
