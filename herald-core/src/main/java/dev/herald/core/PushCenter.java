package dev.herald.core;

import dev.herald.core.broker.Broker;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.MessageIds;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.notify.Notifications;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.StreamPosition;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Herald's transport-free API: every operation the HTTP adapter offers is one method here that
 * returns a result (or a future of one, when the store is involved) or throws a catalogued
 * {@link HeraldException}. Thread-safe; never blocks on a
 * client (publishing only enqueues onto bounded session queues).
 *
 * <p>The methods only turn a call into the concept that answers it: publishing is {@link PublishPath} (one path
 * for a single request, {@code /send} and a batch), presence, kicks and counters are {@link NodeConnections},
 * receipts and the pull API read the store.
 */
public final class PushCenter {
    /** Recipients one message may name (users + topics); larger fan-outs use topics or {@code all}. */
    public static final int MAX_RECIPIENTS = 1_000;

    private final Clock clock;
    private final PublishPath path;
    private final MessageStore store;
    private final RecipientStore recipientStore;
    private final PublishRequestParser parser = new PublishRequestParser();
    private final NodeConnections connections;
    private final Notifications notifications;
    /** Whether a user has a connection on another node (a cluster); none on one node. Set once, before serving. */
    private volatile OnlineElsewhere onlineElsewhere;

    /** Asks the cluster whether {@code userId} has a connection on another node; never fails (false when it cannot tell). */
    @FunctionalInterface
    public interface OnlineElsewhere {
        CompletableFuture<Boolean> test(String userId);
    }

    /** Without channels other than {@code ws} (tests of the in-app path). */
    public PushCenter(Hub hub, Broker broker, HubStats stats, Clock clock, String nodeId, String version,
                      MessageStore store, RecipientStore recipientStore, Durability durability) {
        this(hub, broker, stats, clock, nodeId, version, store, recipientStore, durability,
                new Notifications(new Notifiers(), store instanceof NotifyStore ns ? ns : null, channel -> Duration.ZERO, "Herald"));
    }

    public PushCenter(Hub hub, Broker broker, HubStats stats, Clock clock, String nodeId, String version,
                      MessageStore store, RecipientStore recipientStore, Durability durability, Notifications notifications) {
        this.clock = clock;
        this.store = store;
        this.recipientStore = recipientStore;
        this.notifications = notifications;
        this.path = new PublishPath(broker, stats, clock, store, durability, notifications);
        this.connections = new NodeConnections(hub, stats, clock, nodeId, version);
    }

    /** Contacts, dead letters and the channels' deliveries. */
    public Notifications notifications() {
        return notifications;
    }

    /**
     * Result of one publish.
     *
     * @param id        the message id (for a repeated idempotency key: the first message's)
     * @param delivered connections on this node that got it live
     * @param stored    committed to the store: offline recipients get it when they connect
     * @param duplicate the idempotency key was used before; nothing was published this time
     */
    public record Published(String id, int delivered, boolean stored, boolean duplicate) {
        /** Stored but nobody was connected: it waits in the recipients' inboxes (HTTP 202). */
        public boolean queued() {
            return stored && !duplicate && delivered == 0;
        }
    }

    /** One entry of a batch result: {@code published} or {@code error}, never both. */
    public record BatchResult(Published published, HeraldException error) { }

    /**
     * The seed's {@code /send}: a plain-text message to one user. A durable message to an offline user
     * is queued; a non-durable one ({@code persist=false}) fails with {@code user_offline} if nobody got it.
     */
    public CompletableFuture<Published> send(String userId, String message, boolean persist, String idempotencyKey) {
        if (userId == null || userId.isEmpty()) {
            throw ErrorCode.UID_REQUIRED.exception();
        }
        if (message == null) {
            throw ErrorCode.MESSAGE_REQUIRED.exception();
        }
        PublishPath.requireValidUser(userId, "uid");
        String dataJson = JsonText.quote(message);
        PublishRequest request = PublishRequest.toUser(userId, dataJson, message.getBytes(StandardCharsets.UTF_8),
                persist, idempotencyKey(idempotencyKey));
        CompletableFuture<Published> publishing = publish(request);
        OnlineElsewhere elsewhere = onlineElsewhere;
        if (elsewhere == null && publishing.isDone() && !publishing.isCompletedExceptionally()) {
            // a fire-and-forget send is done already: checked here rather than through one more stage, failing
            // the same way thenApply would (a CompletionException around the catalogued error)
            return reachedNoOne(publishing.join())
                    ? CompletableFuture.failedFuture(new CompletionException(userOffline(userId))) : publishing;
        }
        return publishing.thenCompose(published -> {
            if (!reachedNoOne(published)) {
                return CompletableFuture.completedFuture(published);
            }
            if (elsewhere == null) {
                throw userOffline(userId);
            }
            return elsewhere.test(userId).thenApply(online -> {
                if (!online) {
                    throw userOffline(userId);
                }
                return published;
            });
        });
    }

    /**
     * In a cluster, a {@code persist=false} {@code /send} that reached no connection here went to the other nodes
     * through the broker too: it answers {@code user_offline} only when the user has no connection there either.
     * Called once at start-up, before serving.
     */
    public void onlineElsewhere(OnlineElsewhere check) {
        this.onlineElsewhere = check;
    }

    /** A {@code /send} that was neither stored nor delivered: the user had no connection and persist was false. */
    private static boolean reachedNoOne(Published published) {
        return !published.stored() && published.delivered() == 0;
    }

    private static HeraldException userOffline(String userId) {
        return ErrorCode.USER_OFFLINE.exception("the user has no connection (and persist=false)");
    }

    /** {@code POST /api/v1/messages}: body is the JSON request; {@code idempotencyKey} is the header's (it wins over the field). */
    public CompletableFuture<Published> publishJson(String body, String idempotencyKey) {
        PublishRequest request = parser.parseOne(body);
        String key = idempotencyKey(idempotencyKey);
        return publish(key == null ? request : request.with(request.persist(), key));
    }

    private static String idempotencyKey(String header) {
        return header == null ? null : PublishRequestParser.validIdempotencyKey(header, "Idempotency-Key");
    }

    /**
     * {@code POST /api/v1/messages/batch}: durable entries are committed together (one group commit),
     * then every entry goes out in array order. When that commit fails the whole batch fails with
     * {@code store_unavailable} (503), as a single publish does: none of its messages was stored or
     * published, and the caller retries the batch.
     */
    public CompletableFuture<List<BatchResult>> publishBatchJson(String body, int maxMessages) {
        return path.publish(new PublishPath.Batch(parser.parseBatch(body, maxMessages)));
    }

    /** One request through the publish path ({@link PublishPath}). */
    public CompletableFuture<Published> publish(PublishRequest request) {
        return path.publish(new PublishPath.One(request));
    }

    /** {@code GET /api/v1/messages/{id}}: the message, each recipient's in-app status, and its channel deliveries. */
    public CompletableFuture<Receipt> receipt(String messageId) {
        if (!MessageIds.isValid(messageId)) {
            return CompletableFuture.failedFuture(messageNotFound(messageId));
        }
        return store.receipt(messageId, clock.millis())
                .thenCompose(found -> found.isEmpty() || !notifications.stored()
                        ? CompletableFuture.completedFuture(found)
                        : notifications.deliveriesOf(messageId).thenApply(d -> found.map(r -> r.withDeliveries(d))))
                .exceptionally(e -> { throw PublishPath.storeFailure(e); })
                .thenApply(r -> r.orElseThrow(() -> messageNotFound(messageId)));
    }

    private static HeraldException messageNotFound(String messageId) {
        return ErrorCode.MESSAGE_NOT_FOUND.exception("no message with this id");
    }

    /**
     * {@code GET /api/v1/users/{uid}/messages?since=&limit=}: one page of a user's retained messages, after a message
     * id or after a position of the inbox ({@code <pos>@<epoch>}; another epoch reads from the start with a gap).
     */
    public CompletableFuture<Replay> userMessages(String userId, String since, int limit) {
        PublishPath.requireValidUser(userId, "uid");
        StreamPosition afterPosition = since == null || MessageIds.isValid(since) ? null : StreamPosition.parseCursor(since);
        if (since != null && afterPosition == null && !MessageIds.isValid(since)) {
            throw ErrorCode.INVALID_CURSOR.exception("since is neither a message id nor a position (<pos>@<epoch>)");
        }
        return recipientStore.read(userId, afterPosition == null ? since : null, afterPosition, limit).exceptionally(e -> { throw PublishPath.storeFailure(e); });
    }

    /** {@code GET /api/v1/users/{uid}/presence}: the user's connections on this node. */
    public NodeConnections.Presence presence(String userId) {
        return connections.presence(userId);
    }

    /** {@code DELETE /api/v1/users/{uid}/connections}: see {@link NodeConnections#kick}. */
    public int kick(String userId, String connectionId) {
        return connections.kick(userId, connectionId);
    }

    /** {@code GET /api/v1/stats}. */
    public NodeConnections.Stats stats() {
        return connections.stats();
    }
}
