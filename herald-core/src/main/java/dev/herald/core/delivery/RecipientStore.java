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

/**
 * The message store as recipients use it, apart from the publisher's side ({@link MessageStore#append}): reads what
 * a recipient missed (a connection's replay of one stream, all pages of it up to the head; the pull API's one page of
 * a user's inbox) and records what happened to each message for each recipient (delivered, acked, read), telling
 * the {@link ReceiptListener}. It holds no messages itself: everything is read from and written to the store.
 * Thread-safe; never blocks (every store call returns a future).
 */
public final class RecipientStore {
    private static final Logger log = LoggerFactory.getLogger(RecipientStore.class);
    /** Messages read per store round trip during a replay. */
    static final int PAGE = 500;

    private final MessageStore store;
    private final Clock clock;
    private final HubStats stats;
    private final ReceiptListener receipts;
    private final int maxReplay;
    /**
     * {@code maxReplay}: most messages one replay sends. The stream cap bounds a stream between maintenance
     * passes, so this only guards memory against a burst; a replay cut short reports a gap.
     */
    public RecipientStore(MessageStore store, Clock clock, HubStats stats, ReceiptListener receipts, int maxReplay) {
        this.store = store;
        this.clock = clock;
        this.stats = stats;
        this.receipts = receipts;
        this.maxReplay = maxReplay;
    }

    /**
     * What a replay found: messages oldest first (in position order), whether some were lost before the reader got
     * them, and the head it read up to ({@link Replay#head()}: {@code null} when the stream had no position yet).
     * Every message of the stream at or below the head is here or lost; every one above it comes live.
     */
    public record Missed(List<StoredMessage> messages, boolean gap, StreamPosition head) { }

    /**
     * Reads every retained message of {@code stream} from {@code from} (or pending per {@code pending}), page by
     * page, up to the head the first page names: later pages stop there, newer messages come live.
     */
    public CompletableFuture<Missed> missed(Target stream, ReplayFrom from, ReplayRequest.Pending pending) {
        return store.replay(from.request(stream, pending, PAGE, Long.MAX_VALUE), clock.millis())
                .thenCompose(first -> next(stream, pending, first.head(), new ArrayList<>(), first));
    }

    private CompletableFuture<Missed> next(Target stream, ReplayRequest.Pending pending, StreamPosition head,
                                           List<StoredMessage> sofar, Replay page) {
        sofar.addAll(page.messages());
        if (!page.more() || page.messages().isEmpty() || head == null) {
            return CompletableFuture.completedFuture(new Missed(sofar, page.gap(), head));
        }
        if (sofar.size() >= maxReplay) {
            // more than one replay may send (the cap was not enforced yet): the newer messages up to the head are
            // skipped, and the connection drops them when they come live, so say so with a gap
            return CompletableFuture.completedFuture(new Missed(sofar, true, head));
        }
        // later pages continue after the last position read, whatever the first cursor was, and stop at the head
        ReplayRequest request = ReplayFrom.after(sofar.get(sofar.size() - 1), stream).request(stream, pending, PAGE, head.position());
        boolean gapSoFar = page.gap();
        return store.replay(request, clock.millis()).thenCompose(more -> next(stream, pending, head, sofar,
                gapSoFar ? new Replay(more.messages(), true, more.more(), more.head()) : more));
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
