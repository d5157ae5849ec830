package dev.herald.core;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.Delivery;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.Inbox;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.MessageIds;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Topics;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.notify.Notifications;
import dev.herald.core.message.UserIds;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;
import dev.herald.core.store.Appended;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.StoreFailures;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Herald's transport-free API: every operation the HTTP adapter offers is one method here that
 * returns a result (or a future of one, when the store is involved) or throws a catalogued
 * {@link HeraldException}. Thread-safe; never blocks on a
 * client (publishing only enqueues onto bounded session queues).
 */
public final class PushCenter {
    /** Recipients one message may name (users + topics); larger fan-outs use topics or {@code all}. */
    public static final int MAX_RECIPIENTS = 1_000;

    private final Hub hub;
    private final Broker broker;
    private final HubStats stats;
    private final Clock clock;
    private static final Logger log = LoggerFactory.getLogger(PushCenter.class);

    private final MessageIds ids = new MessageIds();
    private final MessageStore store;
    private final Inbox inbox;
    private final Durability durability;
    private final PublishRequestParser parser = new PublishRequestParser();
    private final String nodeId;
    private final String version;
    private final Instant startedAt;
    private final Notifications notifications;

    /** Without channels other than {@code ws} (tests of the in-app path). */
    public PushCenter(Hub hub, Broker broker, HubStats stats, Clock clock, String nodeId, String version,
                      MessageStore store, Inbox inbox, Durability durability) {
        this(hub, broker, stats, clock, nodeId, version, store, inbox, durability,
                new Notifications(new Notifiers(), store instanceof NotifyStore ns ? ns : null, channel -> Duration.ZERO, "Herald"));
    }

    public PushCenter(Hub hub, Broker broker, HubStats stats, Clock clock, String nodeId, String version,
                      MessageStore store, Inbox inbox, Durability durability, Notifications notifications) {
        this.hub = hub;
        this.broker = broker;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.version = version;
        this.store = store;
        this.inbox = inbox;
        this.durability = durability;
        this.notifications = notifications;
        this.startedAt = clock.instant();
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
        requireValidUser(userId, "uid");
        String dataJson = JsonText.quote(message);
        PublishRequest request = PublishRequest.toUser(userId, dataJson, message.getBytes(StandardCharsets.UTF_8))
                .with(persist, idempotencyKey(idempotencyKey));
        CompletableFuture<Published> publishing = publish(request);
        if (publishing.isDone() && !publishing.isCompletedExceptionally()) {
            // a fire-and-forget send is done already: checked here rather than through one more stage, failing
            // the same way thenApply would (a CompletionException around the catalogued error)
            return reachedNoOne(publishing.join())
                    ? CompletableFuture.failedFuture(new CompletionException(userOffline(userId))) : publishing;
        }
        return publishing.thenApply(published -> {
            if (reachedNoOne(published)) {
                throw userOffline(userId);
            }
            return published;
        });
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
        List<PublishRequestParser.Item> items = parser.parseBatch(body, maxMessages);
        if (!anyDurable(items)) {
            return CompletableFuture.completedFuture(publishTransientBatch(items));
        }
        List<PublishRequest> requests = new ArrayList<>(items.size());
        for (PublishRequestParser.Item item : items) {
            requests.add(item.request());
        }
        List<CompletableFuture<Published>> futures = publishAll(requests);
        List<BatchResult> results = new ArrayList<>(items.size());
        CompletableFuture<?>[] all = new CompletableFuture<?>[items.size()];
        for (int i = 0; i < items.size(); i++) {
            all[i] = futures.get(i) == null ? CompletableFuture.completedFuture(null) : futures.get(i).exceptionally(e -> null);
        }
        return CompletableFuture.allOf(all).thenApply(v -> {
            for (CompletableFuture<Published> f : futures) {
                HeraldException failure = f == null ? null : storeUnavailable(f);
                if (failure != null) {
                    throw failure;
                }
            }
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).error() != null) {
                    results.add(new BatchResult(null, items.get(i).error()));
                    continue;
                }
                try {
                    results.add(new BatchResult(futures.get(i).join(), null));
                } catch (CompletionException e) {
                    results.add(new BatchResult(null, (HeraldException) e.getCause()));
                }
            }
            return results;
        });
    }

    private static boolean anyDurable(List<PublishRequestParser.Item> items) {
        for (PublishRequestParser.Item item : items) {
            if (item.request() != null && item.request().persist()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A batch without durable entries (the hot path of fire-and-forget publishers): each entry is
     * checked and fanned out at once, in array order, on the calling thread — the same outcome as
     * {@link #publishAll} without a future per entry, since nothing waits for a store.
     */
    private List<BatchResult> publishTransientBatch(List<PublishRequestParser.Item> items) {
        long now = clock.millis();
        List<BatchResult> results = new ArrayList<>(items.size());
        for (PublishRequestParser.Item item : items) {
            if (item.error() != null) {
                results.add(new BatchResult(null, item.error()));
                continue;
            }
            PublishRequest request;
            try {
                request = admit(item.request());
            } catch (HeraldException e) {
                results.add(new BatchResult(null, e));
                continue;
            }
            results.add(new BatchResult(publishNow(request, now), null));
        }
        return results;
    }

    /** Fans out a fire-and-forget request with a fresh id. */
    private Published publishNow(PublishRequest r, long now) {
        Message message = new Message(ids.next(now), now, r.dataJson(), r.rawBody());
        int delivered = broker.publish(new Delivery(r.targets(), message));
        return new Published(message.id(), delivered, false, false);
    }

    /** The {@code store_unavailable} failure of a completed publish, or {@code null}. */
    private static HeraldException storeUnavailable(CompletableFuture<Published> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() instanceof HeraldException h && h.code() == ErrorCode.STORE_UNAVAILABLE ? h : null;
        }
    }

    public CompletableFuture<Published> publish(PublishRequest request) {
        if (!request.persist()) {
            return publishFireAndForget(request);
        }
        return publishAll(List.of(request)).get(0);
    }

    /**
     * One fire-and-forget request: what {@link #publishAll} does for a list of one such request (check, fan
     * out now, completed future), without its lists and index bookkeeping.
     */
    private CompletableFuture<Published> publishFireAndForget(PublishRequest request) {
        try {
            request = admit(request);
        } catch (HeraldException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(publishNow(request, clock.millis()));
    }

    /**
     * Checks a request, plans its deliveries through other channels and counts it in; throws the catalogued
     * error of an invalid one (then it is not counted).
     */
    private PublishRequest admit(PublishRequest request) {
        validate(request);
        PublishRequest prepared = notifications.prepare(request);
        stats.messagesIn.increment();
        return prepared;
    }

    /**
     * Publishes each request (a {@code null} entry is skipped and gets a {@code null} future). Invalid
     * ones fail alone with a catalogued error. When any is durable, all valid ones take their ids and go
     * out in array order once the durable ones are committed (one store call); their futures fail with
     * {@code store_unavailable} when the store cannot commit (then none of them was stored or published).
     * Fire-and-forget requests alone go out at once.
     */
    List<CompletableFuture<Published>> publishAll(List<PublishRequest> requests) {
        List<CompletableFuture<Published>> futures = new ArrayList<>(requests.size());
        List<Integer> valid = new ArrayList<>();
        boolean anyDurable = false;
        long now = clock.millis();
        requests = new ArrayList<>(requests);
        for (int index = 0; index < requests.size(); index++) {
            PublishRequest request = requests.get(index);
            if (request == null) {
                futures.add(null);
                continue;
            }
            try {
                request = admit(request);
                requests.set(index, request);
            } catch (HeraldException e) {
                futures.add(CompletableFuture.failedFuture(e));
                continue;
            }
            valid.add(futures.size());
            futures.add(null); // filled below
            anyDurable |= request.persist();
        }
        if (!anyDurable) {
            for (int i : valid) {
                futures.set(i, CompletableFuture.completedFuture(publishNow(requests.get(i), now)));
            }
            return futures;
        }
        // a fire-and-forget entry of a batch with durable ones waits for their commit: the batch goes out
        // in array order (as documented), and a failed commit publishes none of it
        List<CompletableFuture<Published>> published = commitThenPublish(valid.stream().map(requests::get).toList(), now);
        for (int i = 0; i < valid.size(); i++) {
            futures.set(valid.get(i), published.get(i));
        }
        return futures;
    }

    private List<CompletableFuture<Published>> commitThenPublish(List<PublishRequest> requests, long now) {
        List<String> messageIds = new ArrayList<>(requests.size());
        List<StoredMessage> stored = new ArrayList<>(requests.size());
        List<List<NotifyJob>> jobs = new ArrayList<>(requests.size());
        for (PublishRequest r : requests) {
            String id = ids.next(now);
            messageIds.add(id);
            List<NotifyJob> planned = notifications.plan(r, id, now, () -> ids.next(now));
            jobs.add(planned);
            if (r.persist()) {
                stored.add(new StoredMessage(id, now, now + ttl(r).toMillis(), r.dataJson(), r.inAppUsers(), r.topics(), r.all(),
                        r.idempotencyKey(), planned, r.idempotencyKey() == null ? null : r.fingerprint()));
            }
        }
        // The fan-out runs in the store's commit order (MessageStore#append with a step), so each stream's live
        // messages reach a connection in position order; that and the replay's head are all the replay/live seam
        // needs (StreamCursors). No lock: ids are not in commit order, positions are.
        CompletableFuture<List<BatchResult>> committed = store.append(stored, appended -> {
            Iterator<Appended> next = appended.iterator();
            List<BatchResult> out = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                PublishRequest r = requests.get(i);
                if (!r.persist()) {
                    out.add(publishTransient(r, messageIds.get(i), now));
                    continue;
                }
                Appended a = next.next();
                out.add(publishStored(r, a, now));
                if (!a.duplicate()) {
                    notifications.committed(jobs.get(i));
                }
            }
            return out;
        });
        CompletableFuture<List<BatchResult>> mapped = committed.exceptionally(e -> {
            stats.storeFailures.increment();
            throw storeFailure(e);
        });
        List<CompletableFuture<Published>> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            int index = i;
            out.add(mapped.thenApply(list -> {
                BatchResult r = list.get(index);
                if (r.error() != null) {
                    throw r.error();
                }
                return r.published();
            }));
        }
        return out;
    }

    private BatchResult publishStored(PublishRequest r, Appended a, long now) {
        if (a.keyReused()) {
            // the first message's id is not revealed: the caller sent something else under this key
            return new BatchResult(null, ErrorCode.IDEMPOTENCY_KEY_REUSED.exception(
                    "this idempotency key was used before for a different request; nothing was published"));
        }
        if (a.duplicate()) {
            return new BatchResult(new Published(a.id(), 0, true, true), null);
        }
        Message message = new Message(a.id(), now, r.dataJson(), r.rawBody(), true, a.positions());
        return new BatchResult(new Published(a.id(), publishCommitted(new Delivery(r.targets(), message)), true, false), null);
    }

    /** A fire-and-forget entry of a batch with durable ones: a broker failure fails only this entry (nothing keeps it). */
    private BatchResult publishTransient(PublishRequest r, String id, long now) {
        try {
            int delivered = broker.publish(new Delivery(r.targets(), new Message(id, now, r.dataJson(), r.rawBody())));
            return new BatchResult(new Published(id, delivered, false, false), null);
        } catch (RuntimeException e) {
            log.error("live delivery of message {} (persist=false) failed", id, e);
            return new BatchResult(null, ErrorCode.INTERNAL_ERROR.exception("the message could not be delivered; it was not stored"));
        }
    }

    /** Live fan-out of a committed message: a broker failure does not fail the publish, the message is replayed later. */
    private int publishCommitted(Delivery delivery) {
        try {
            return broker.publish(delivery);
        } catch (RuntimeException e) {
            log.error("message {} is stored but its live delivery failed; clients get it on their next replay",
                    delivery.message().id(), e);
            return 0;
        }
    }

    private Duration ttl(PublishRequest r) {
        return r.ttl() == null ? durability.defaultTtl() : r.ttl();
    }

    /** Store failures become 503 {@code store_unavailable}; the cause is logged once, not sent to the client. */
    private static HeraldException storeFailure(Throwable e) {
        return StoreFailures.asError(e, "publish", "the message store cannot commit right now; nothing was stored, retry later");
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
                .exceptionally(e -> { throw storeFailure(e); })
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
        requireValidUser(userId, "uid");
        StreamPosition afterPosition = since == null || MessageIds.isValid(since) ? null : StreamPosition.parseCursor(since);
        if (since != null && afterPosition == null && !MessageIds.isValid(since)) {
            throw ErrorCode.INVALID_CURSOR.exception("since is neither a message id nor a position (<pos>@<epoch>)");
        }
        return inbox.read(userId, afterPosition == null ? since : null, afterPosition, limit).exceptionally(e -> { throw storeFailure(e); });
    }

    private void validate(PublishRequest request) {
        if (request.ttl() != null && request.ttl().compareTo(durability.maxTtl()) > 0) {
            throw ErrorCode.INVALID_REQUEST.exception("ttl must be at most " + durability.maxTtl().toSeconds()
                    + " seconds (messages.max-ttl)");
        }
        if (request.users().size() + request.topics().size() > MAX_RECIPIENTS) {
            throw ErrorCode.INVALID_REQUEST.exception("a message names at most " + MAX_RECIPIENTS
                    + " users and topics together; use a topic or all:true for larger audiences");
        }
        for (String user : request.users()) {
            requireValidUser(user, "to.users");
        }
        for (int i = 0; i < request.topics().size(); i++) {
            if (!Topics.isValid(request.topics().get(i))) {
                throw ErrorCode.INVALID_REQUEST.exception("to.topics[" + i + "] is not a valid topic name: 1-"
                        + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @");
            }
        }
    }

    private static void requireValidUser(String userId, String field) {
        if (!UserIds.isValid(userId)) {
            throw ErrorCode.INVALID_REQUEST.exception(field + " has an invalid user id: 1-" + UserIds.MAX_LENGTH
                    + " characters, no control characters");
        }
    }

    /** A connection as presence shows it. */
    public record ConnectionInfo(String id, String remoteAddress, String protocol, Instant connectedAt, List<String> topics) { }

    public record Presence(String userId, boolean online, List<ConnectionInfo> connections) { }

    public Presence presence(String userId) {
        requireValidUser(userId, "uid");
        List<ConnectionInfo> connections = new ArrayList<>();
        for (Session s : hub.sessions(userId)) {
            List<String> topics = s instanceof BaseSession b ? List.copyOf(b.topicsView()) : List.of();
            connections.add(new ConnectionInfo(s.id(), s.remoteAddress(), s.protocol().wireName(), s.connectedAt(), topics));
        }
        return new Presence(userId, !connections.isEmpty(), connections);
    }

    /**
     * Disconnects the user's connections (or only {@code connectionId}, when given) with
     * {@link CloseReason#KICKED}. Returns how many were closed.
     */
    public int kick(String userId, String connectionId) {
        requireValidUser(userId, "uid");
        int closed = 0;
        for (Session s : hub.sessions(userId)) {
            if (connectionId == null || connectionId.equals(s.id())) {
                s.close(CloseReason.KICKED);
                closed++;
            }
        }
        return closed;
    }

    /** A snapshot of the hub for {@code GET /api/v1/stats}. */
    public record Stats(String nodeId, String version, Duration uptime, int connections, int usersOnline, int topics,
                        long messagesIn, long messagesOut, long dropped, long slowConsumerCloses,
                        long connectionsRejected) { }

    public Stats stats() {
        return new Stats(nodeId, version, Duration.between(startedAt, clock.instant()), hub.connectionCount(),
                hub.userCount(), hub.topicCount(), stats.messagesIn.sum(), stats.messagesOut.sum(), stats.dropped.sum(),
                stats.slowConsumerCloses.sum(), stats.connectionsRejected.sum());
    }
}
