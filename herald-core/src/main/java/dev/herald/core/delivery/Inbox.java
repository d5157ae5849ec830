package dev.herald.core.delivery;

import dev.herald.core.LogSafe;
import dev.herald.core.JsonText;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayFrom;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The connection-facing side of the message store: reads what a client missed (all pages of it)
 * and records what happened to each message for each recipient (delivered, acked, read).
 */
public final class Inbox {
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    /** Messages read per store round trip during a replay. */
    static final int PAGE = 500;

    private final MessageStore store;
    private final Clock clock;
    private final HubStats stats;
    private final ReceiptListener receipts;
    private final int maxReplay;
    /**
     * Orders commits against replay reads. A publisher holds it while it takes ids, appends and attaches
     * its live fan-out to the append; a replay holds it while it asks the store for a page. So a page
     * never contains a committed message whose fan-out is still unattached: that fan-out runs before the
     * page completes (the store completes calls in call order), while the session still holds live messages
     * back and drops those the replay sent. Without it, a publisher delayed between its append and the
     * attach fanned the message out after the replay that had already sent it was over: a duplicate.
     */
    private final ReentrantLock publishOrder = new ReentrantLock();

    /**
     * {@code maxReplay}: most messages one replay sends. The stream cap bounds a stream between maintenance
     * passes, so this only guards memory against a burst; a replay cut short reports a gap.
     */
    public Inbox(MessageStore store, Clock clock, HubStats stats, ReceiptListener receipts, int maxReplay) {
        this.store = store;
        this.clock = clock;
        this.stats = stats;
        this.receipts = receipts;
        this.maxReplay = maxReplay;
    }

    /** Runs {@code step} (a publisher's id assignment, append and fan-out attach) in publish order; see {@link #publishOrder}. */
    public <T> T inPublishOrder(Supplier<T> step) {
        publishOrder.lock();
        try {
            return step.get();
        } finally {
            publishOrder.unlock();
        }
    }

    /** What a replay found: messages oldest first, and whether some were lost before the reader got them. */
    public record Missed(List<StoredMessage> messages, boolean gap) { }

    /** Reads every retained message of {@code stream} from {@code from} (or pending per {@code pending}), page by page. */
    public CompletableFuture<Missed> missed(Target stream, ReplayFrom from, ReplayRequest.Pending pending) {
        return page(stream, from, pending, new ArrayList<>(), false);
    }

    /**
     * {@link #missed(Target, ReplayFrom, ReplayRequest.Pending)} for several streams, each from its own place,
     * answered in the same order. Their first pages are read in one publish-order section, i.e. at one point of
     * the publish order: a live message held back behind the replay is then newer than every replayed message,
     * whatever stream each is on. (Read one after the other, a direct message published between the inbox read
     * and the broadcast read was sent after a newer broadcast.)
     */
    public CompletableFuture<List<Missed>> missed(List<Target> streams, List<ReplayFrom> from, ReplayRequest.Pending pending) {
        List<CompletableFuture<Missed>> each = inPublishOrder(() -> {
            List<CompletableFuture<Missed>> reads = new ArrayList<>(streams.size());
            for (int i = 0; i < streams.size(); i++) {
                reads.add(missed(streams.get(i), from.get(i), pending));
            }
            return reads;
        });
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<Missed> page(Target stream, ReplayFrom from, ReplayRequest.Pending pending,
                                           List<StoredMessage> sofar, boolean gap) {
        ReplayRequest request = from.request(stream, pending, PAGE);
        return inPublishOrder(() -> store.replay(request, clock.millis())).thenCompose(page -> {
            sofar.addAll(page.messages());
            boolean anyGap = gap || page.gap();
            if (!page.more() || page.messages().isEmpty()) {
                return CompletableFuture.completedFuture(new Missed(sofar, anyGap));
            }
            if (sofar.size() >= maxReplay) {
                // more than one replay may send (the cap was not enforced yet): the newer messages are
                // skipped, and live ones will move the client's cursor past them, so say so with a gap
                return CompletableFuture.completedFuture(new Missed(sofar, true));
            }
            // later pages continue after the last message read, whatever the original filter was
            ReplayFrom next = from.isCursor() ? from.after(sofar.get(sofar.size() - 1), stream)
                    : new ReplayFrom(sofar.get(sofar.size() - 1).id(), null);
            return page(stream, next, pending, sofar, anyGap);
        });
    }

    /** The page after {@code afterId} or {@code afterPosition} (at most one) of a user's inbox, for the pull API. */
    public CompletableFuture<Replay> read(String userId, String afterId, StreamPosition afterPosition, int limit) {
        return store.replay(new ReplayRequest(new Target.User(userId), afterId, afterPosition, ReplayRequest.Pending.ALL, limit),
                clock.millis());
    }

    /** A stored message as the hub and sessions handle it. */
    public static Message toMessage(StoredMessage m) {
        return new Message(m.id(), m.timestamp(), m.dataJson(), JsonText.rawBody(m.dataJson()), true, m.positions());
    }

    /** One stored message was sent to a connection that had missed it. */
    public void countReplayed() {
        stats.messagesReplayed.increment();
    }

    /** A tracked frame reached one of the user's sockets. */
    public void delivered(String userId, String messageId) {
        record(new StatusUpdate(messageId, userId, DeliveryStatus.DELIVERED, clock.millis()), false);
    }

    /** A client of {@code userId} acked or read these messages; those not addressed to the user are ignored and counted. */
    public void acknowledge(String userId, List<String> messageIds, DeliveryStatus status) {
        long now = clock.millis();
        for (String id : messageIds) {
            record(new StatusUpdate(id, userId, status, now), true);
        }
    }

    private void record(StatusUpdate update, boolean fromClient) {
        store.updateStatus(List.of(update)).whenComplete((applied, error) -> {
            if (error != null) {
                log.warn("could not record {} of {} for user {}: {}", update.status().wireName(), update.messageId(),
                        LogSafe.quoted(update.userId()), LogSafe.value(error.getMessage()));
            } else if (applied == 0) {
                if (fromClient) {
                    stats.acksIgnored.increment();
                }
            } else {
                receipts.onStatus(update);
            }
        });
    }
}
